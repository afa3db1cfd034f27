/**
 * Links and images in a lab's Markdown: relative ones must name a file the server serves (under the lab's
 * `assets/` or `files/`), images must be the lab's own (the renderer drops others), and `#fragment` links
 * must name a step.
 */
import type { Token } from 'markdown-it';

/** Folders of a lab the server serves to browsers (server/transport/http-app.ts). */
export const SERVED_LAB_FOLDERS = ['assets', 'files'] as const;

/** A link or image found in Markdown tokens, with the source line range of its block. */
export interface FoundLink {
  kind: 'link' | 'image';
  href: string;
  /** 0-based line range [start, end) of the block it is in, in the Markdown given to markdown-it. */
  map: [number, number];
}

/** Every link and image in parsed Markdown. */
export function findLinks(tokens: readonly Token[]): FoundLink[] {
  const links: FoundLink[] = [];
  for (const token of tokens) {
    if (token.type !== 'inline' || !token.children || !token.map) continue;
    for (const child of token.children) {
      if (child.type === 'link_open' && child.markup !== 'linkify' && child.markup !== 'autolink') {
        links.push({ kind: 'link', href: String(child.attrGet('href') ?? ''), map: token.map });
      } else if (child.type === 'image') {
        links.push({ kind: 'image', href: String(child.attrGet('src') ?? ''), map: token.map });
      }
    }
  }
  return links;
}

/** What is wrong with one link, if anything. */
export function checkLink(
  link: FoundLink,
  ctx: { stepIds: ReadonlySet<string>; assetExists?: (relPath: string) => boolean },
): { severity: 'error' | 'warning'; message: string } | undefined {
  const href = link.href;
  if (/\{\{|%7B%7B/i.test(href)) return undefined; // depends on the learner's variables
  if (href.startsWith('#')) {
    const fragment = safeDecode(href.slice(1));
    if (link.kind === 'link' && !ctx.stepIds.has(fragment)) {
      const ids = [...ctx.stepIds];
      return { severity: 'error', message: `link to '#${fragment}', but no step has that id${ids.length ? ` (steps: ${ids.join(', ')})` : ''}` };
    }
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) {
    if (link.kind === 'image') return { severity: 'error', message: `image '${href}' is not shown: images must be files in the lab's assets/ folder` };
    return undefined;
  }
  if (href.startsWith('/')) return { severity: 'error', message: `'${href}' is an absolute path; link to the lab's own files as assets/… or files/…` };
  const rel = safeDecode(href.replace(/[?#].*$/, '')).replace(/^(\.\/)+/, '');
  if (!rel) return undefined;
  const segments = rel.split('/');
  if (segments.includes('..')) return { severity: 'error', message: `'${href}' leaves the lab folder; link to assets/… or files/…` };
  if (!(SERVED_LAB_FOLDERS as readonly string[]).includes(segments[0]!) || segments.length < 2) {
    return { severity: 'error', message: `'${href}' is not served to learners: only the lab's assets/ and files/ folders are` };
  }
  if (ctx.assetExists && !ctx.assetExists(rel)) return { severity: 'error', message: `'${rel}' does not exist in the lab folder` };
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Where `href` is written inside the given source lines: [line index, column index], both 0-based. */
export function locateHref(lines: readonly string[], map: [number, number], href: string): [number, number] {
  const candidates = [href, safeDecode(href)];
  for (let l = map[0]; l < map[1]; l++) {
    const text = lines[l] ?? '';
    for (const c of candidates) {
      const at = c ? text.indexOf(c) : -1;
      if (at >= 0) return [l, at];
    }
  }
  const first = lines[map[0]] ?? '';
  return [map[0], first.length - first.trimStart().length];
}
