import MarkdownIt from 'markdown-it';
import { substituteVariables, type LabDefinition, type LabProblem } from '../core/lab/index.ts';
import type { LabStepView, LabView } from '../core/protocol.ts';

/**
 * Renders lab Markdown for the browser. Raw HTML is off (a lab cannot inject script), links that leave the
 * lab open in a new tab, relative images and links resolve inside the lab's own asset route only, and
 * `#step-id` links go to that step's section (`#step-<id>`, so step ids cannot collide with the page's ids).
 */
export function createLabRenderer(): (markdown: string, labId: string) => string {
  const md = createMarkdown();
  return (markdown, labId) => md.render(markdown, { labId });
}

/** What {@link renderLabView} substitutes: this learner's variable values (missing ones stay `{{name}}`). */
export type RenderVariables = Readonly<Record<string, string>>;

/**
 * The lab page's view of a parsed lab for one learner: introduction and steps rendered separately (check
 * and hint blocks are not in the text; the page lists checks by title), plus the whole as `html`.
 */
export function renderLabView(lab: LabDefinition, variables: RenderVariables, extra: { problems?: LabProblem[] } = {}): LabView {
  const md = shared();
  const env = { labId: lab.id };
  const sub = (text: string) => substituteVariables(text, variables);
  const introductionHtml = md.render(sub(lab.introduction), env);
  const steps: LabStepView[] = lab.steps.map((step) => {
    const title = sub(step.title);
    return {
      id: step.id,
      title,
      titleHtml: md.renderInline(title, env),
      html: md.render(sub(step.markdown), env),
      points: step.points,
      checks: step.checks.map((c) => ({ title: sub(c.title ?? c.checker) })),
    };
  });
  const html =
    introductionHtml +
    steps.map((s) => `<section id="step-${escapeHtml(s.id)}" class="lab-step">\n<h2>${s.titleHtml}</h2>\n${s.html}</section>\n`).join('');
  return {
    id: lab.id,
    title: lab.title,
    summary: lab.summary,
    ...(lab.durationMinutes !== undefined ? { durationMinutes: lab.durationMinutes } : {}),
    ...(lab.difficulty !== undefined ? { difficulty: lab.difficulty } : {}),
    environment: lab.environment,
    available: true,
    ...(extra.problems?.length ? { problems: extra.problems } : {}),
    html,
    introductionHtml,
    steps,
    autoCheck: lab.autoCheck,
    totalPoints: lab.steps.reduce((n, s) => n + s.points, 0),
  };
}

/** The view of a lab that has errors: what is wrong, so its author (or a learner) is not left guessing. */
export function renderUnavailableView(summary: { id: string; title: string; summary: string }, problems: LabProblem[]): LabView {
  const errors = problems.filter((p) => p.severity === 'error');
  const items = errors.map((p) => `<li><code>${escapeHtml(`${p.file}:${p.line}:${p.column}`)}</code> ${escapeHtml(p.message)}</li>`).join('\n');
  const html = `<p role="alert">This lab cannot be opened: its files have ${errors.length === 1 ? 'an error' : `${errors.length} errors`}. Run <code>labrunner lint</code> to see them.</p>\n<ul class="lab-problems">\n${items}\n</ul>\n`;
  return { ...summary, available: false, problems, html, introductionHtml: html, steps: [], autoCheck: false, totalPoints: 0 };
}

let sharedMd: Markdown | undefined;
function shared(): Markdown {
  return (sharedMd ??= createMarkdown());
}

type Markdown = InstanceType<typeof MarkdownIt>;

function createMarkdown(): Markdown {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const href = String(token.attrGet('href') ?? '');
    if (isExternal(href)) {
      token.attrSet('target', '_blank');
      token.attrSet('rel', 'noopener noreferrer');
    } else if (href.startsWith('#') && href.length > 1) {
      token.attrSet('href', `#step-${href.slice(1)}`);
    } else if (isLabRelative(href)) {
      token.attrSet('href', assetUrl(labIdOf(env), href));
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };

  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet('src') ?? '');
    // Only the lab's own images: no tracking pixels or mixed content from elsewhere.
    token.attrSet('src', isLabRelative(src) ? assetUrl(labIdOf(env), src) : '');
    return defaultImage(tokens, idx, options, env, self);
  };
  return md;
}

function labIdOf(env: unknown): string {
  return String((env as { labId?: string } | undefined)?.labId ?? '');
}

function isExternal(href: string): boolean {
  return /^https?:\/\//i.test(href);
}

/** A relative path inside the lab (no scheme, no leading slash, no `..`). */
function isLabRelative(href: string): boolean {
  if (!href || href.startsWith('#') || href.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(href)) return false;
  return !href.split(/[\\/]/).includes('..');
}

function assetUrl(labId: string, rel: string): string {
  // markdown-it has already percent-encoded the link; decode each segment first so it is not encoded twice.
  const segments = rel.replace(/^(\.\/)+/, '').split('/');
  return `/labs/${encodeURIComponent(labId)}/${segments.map((s) => encodeURIComponent(safeDecode(s))).join('/')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
