import MarkdownIt from 'markdown-it';

/**
 * Renders lab Markdown for the browser. Raw HTML is off (a lab cannot inject script), links that leave the
 * lab open in a new tab, and relative images and links resolve inside the lab's own asset route only.
 */
export function createLabRenderer(): (markdown: string, labId: string) => string {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const href = String(token.attrGet('href') ?? '');
    if (isExternal(href)) {
      token.attrSet('target', '_blank');
      token.attrSet('rel', 'noopener noreferrer');
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

  return (markdown, labId) => md.render(markdown, { labId });
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
  return `/labs/${encodeURIComponent(labId)}/${rel.split('/').map(encodeURIComponent).join('/')}`;
}
