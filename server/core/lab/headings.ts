/** Step headings: `## Title {#id points=N waits}`. */

/** A step id: lowercase letters, digits and dashes (it becomes a URL fragment and a file name in solve/). */
export const STEP_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Points of a step with checks when the heading does not say. */
export const DEFAULT_STEP_POINTS = 10;

/** What a step heading says. */
export interface StepHeading {
  title: string;
  id?: string;
  points?: number;
  /** `waits`: the step waits for an effect of an earlier step (see LabStep.waits). */
  waits?: boolean;
  /** Offset of the attribute block `{…}` in the heading text, when there is one. */
  attributesIndex?: number;
  problems: { message: string; index: number }[];
}

// `{…}` at the very end, not the closing braces of a `{{variable}}`.
const ATTRIBUTES = /(?<!\{)\{([^{}]*)\}\s*$/;

/**
 * Splits a heading's text into its title and attribute block.
 * @example parseStepHeading('Create the repository {#create-repo points=10}') // { title: 'Create the repository', id: 'create-repo', points: 10 }
 */
export function parseStepHeading(text: string): StepHeading {
  const match = ATTRIBUTES.exec(text);
  if (!match) return { title: text.trim(), problems: [] };
  const heading: StepHeading = { title: text.slice(0, match.index).trim(), attributesIndex: match.index, problems: [] };
  const body = match[1]!;
  const bodyStart = match.index + 1;
  for (const m of body.matchAll(/\S+/g)) {
    const attr = m[0];
    const index = bodyStart + m.index;
    if (attr.startsWith('#')) {
      const id = attr.slice(1);
      if (heading.id !== undefined) heading.problems.push({ index, message: `the heading gives more than one id ('#${heading.id}' and '${attr}')` });
      else if (!STEP_ID_PATTERN.test(id)) heading.problems.push({ index, message: `step id '${id}' must be lowercase letters, digits and dashes (at most 64), starting with a letter or digit` });
      else heading.id = id;
    } else if (attr.startsWith('points=')) {
      const value = attr.slice('points='.length);
      if (!/^\d{1,6}$/.test(value)) heading.problems.push({ index, message: `points must be a whole number of 0 or more, not '${value}'` });
      else heading.points = Number(value);
    } else if (attr === 'waits') {
      heading.waits = true;
    } else {
      heading.problems.push({ index, message: `unknown heading attribute '${attr}' (a heading takes {#step-id points=N waits})` });
    }
  }
  return heading;
}

/**
 * A step id from a title: lowercase ASCII letters and digits joined by dashes (accents dropped,
 * `{{variables}}` and Markdown punctuation ignored).
 * @example slugify('Push the image to `myrepo`!') // 'push-the-image-to-myrepo'
 */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}
