/**
 * Small DOM and HTTP helpers shared by every page. No framework: pages build their DOM with `el` and
 * update it in place when events arrive.
 */

/** Creates an element with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element (charts). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

/** An error the server answered with (`{error: {code, message}}`), safe to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields of the error body (e.g. `field` naming the input at fault), when the server sends them. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The input at fault: the body's `field`, or the `field: …` the server's validation messages start with. */
  get field(): string | undefined {
    if (typeof this.details.field === 'string') return this.details.field;
    return FIELD_PREFIX.exec(this.message)?.[1];
  }

  /** The message for a person, without the `field: ` prefix (the page shows it beside that field). */
  get text(): string {
    const match = FIELD_PREFIX.exec(this.message);
    if (!match) return this.message;
    const rest = match[2]!;
    return rest.charAt(0).toUpperCase() + rest.slice(1);
  }
}

const FIELD_PREFIX = /^([a-zA-Z][a-zA-Z0-9]*): (.+)$/s;

async function parse<T>(res: Response): Promise<T> {
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } & Record<string, unknown> } | undefined;
  const { code, message, ...details } = body?.error ?? {};
  throw new ApiError(res.status, code ?? 'HttpError', message ?? `${res.status} ${res.statusText}`, details);
}

export async function getJson<T>(url: string): Promise<T> {
  return parse<T>(await fetch(url, { credentials: 'same-origin' }));
}

/** POSTs JSON (the server requires `Content-Type: application/json` on every POST). */
export async function postJson<T>(url: string, body: unknown = {}): Promise<T> {
  return parse<T>(
    await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const flashes = new WeakMap<HTMLButtonElement, { text: string; label: string | null; timer: ReturnType<typeof setTimeout> }>();

/** Briefly shows what a button did, in its text and (for screen readers) its name. */
export function flash(button: HTMLButtonElement, text: string): void {
  const previous = flashes.get(button);
  if (previous) clearTimeout(previous.timer);
  const original = previous ?? { text: button.textContent ?? '', label: button.getAttribute('aria-label') };
  button.textContent = text;
  button.setAttribute('aria-label', text);
  const timer = setTimeout(() => {
    flashes.delete(button);
    button.textContent = original.text;
    if (original.label === null) button.removeAttribute('aria-label');
    else button.setAttribute('aria-label', original.label);
  }, 1500);
  flashes.set(button, { ...original, timer });
}

/** A "Copy" button for a text (a link, a code); says "Copied" for a moment. */
export function copyButton(text: () => string, label: string): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'copy-button', 'aria-label': label }, 'Copy');
  button.addEventListener('click', () => {
    void navigator.clipboard?.writeText(text()).then(
      () => flash(button, 'Copied'),
      () => flash(button, 'Copy failed'),
    );
  });
  return button;
}

/** The top bar every page shares: the brand link, then whatever the page puts there. */
export function topbar(...items: (Node | string)[]): HTMLElement {
  return el('header', { class: 'topbar' }, el('a', { href: '/', class: 'brand' }, 'labrunner'), ...items);
}

/** Replaces the page with a message (an error, or why the page cannot be shown). */
export function showMessage(app: HTMLElement, message: string, opts: { title?: string; error?: boolean } = {}): void {
  document.title = `${opts.title ?? 'labrunner'} · labrunner`;
  const main = el('main', { class: 'catalog' });
  if (opts.title) main.append(el('h1', {}, opts.title));
  main.append(el('p', opts.error === false ? { role: 'status' } : { class: 'error', role: 'alert' }, message));
  app.replaceChildren(topbar(), main);
}
