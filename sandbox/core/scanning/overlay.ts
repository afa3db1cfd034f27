/**
 * The final content of a handful of files in a layered image, computed the way an overlay
 * filesystem would from the layers' tar entries: later layers replace earlier ones,
 * `.wh.<name>` deletes `<name>` from the layers below, `.wh..wh..opq` empties a directory of
 * everything below, and symlinks (Debian's /etc/os-release → ../usr/lib/os-release) are followed.
 * Only the files in {@link WANTED_PATHS} and the directories/symlinks on their way are tracked,
 * so memory stays proportional to those few files, not to the image.
 */

/** The files the scanner reads, relative to the image root. */
export const WANTED_PATHS = [
  'etc/os-release',
  'usr/lib/os-release',
  'var/lib/dpkg/status',
  'lib/apk/db/installed',
  'usr/lib/apk/db/installed',
] as const;

const WANTED = new Set<string>(WANTED_PATHS);
const ANCESTORS = new Set<string>(
  WANTED_PATHS.flatMap((p) => p.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))),
);

/** One tar entry, already classified (whiteouts recognised, paths normalised). */
export type LayerEntry =
  | { readonly kind: 'file'; readonly path: string; readonly content?: string }
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'hardlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'whiteout'; readonly path: string } // delete path (and below) from lower layers
  | { readonly kind: 'opaque'; readonly path: string }; // delete everything below path from lower layers

/** Strips `./`, leading and trailing slashes: tar names come as `./etc/x`, `etc/x` or `/etc/x`. */
export function normalizeEntryPath(name: string): string {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

/** True for a file whose content the scanner needs (the adapter buffers only these). */
export function isWantedPath(path: string): boolean {
  return WANTED.has(path);
}

/** True for paths whose entries can change what a wanted path resolves to. */
export function isTrackedPath(path: string): boolean {
  return WANTED.has(path) || ANCESTORS.has(path);
}

/**
 * Turns a tar entry's name and type into a {@link LayerEntry}, recognising whiteouts.
 * Returns undefined for entries that cannot affect the wanted files.
 */
export function classifyEntry(
  name: string,
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other',
  linkTarget?: string,
  content?: string,
): LayerEntry | undefined {
  const path = normalizeEntryPath(name);
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash) : '';
  const base = path.slice(slash + 1);
  if (base === '.wh..wh..opq') return { kind: 'opaque', path: dir };
  if (base.startsWith('.wh.')) {
    const target = (dir ? `${dir}/` : '') + base.slice(4);
    return affectsTracked(target) ? { kind: 'whiteout', path: target } : undefined;
  }
  if (!isTrackedPath(path)) return undefined;
  switch (type) {
    case 'file':
      return content === undefined ? { kind: 'file', path } : { kind: 'file', path, content };
    case 'directory':
      return { kind: 'dir', path };
    case 'symlink':
      return linkTarget === undefined ? undefined : { kind: 'symlink', path, target: linkTarget };
    case 'link':
      return linkTarget === undefined ? undefined : { kind: 'hardlink', path, target: normalizeEntryPath(linkTarget) };
    default:
      return { kind: 'file', path }; // a device or fifo still hides what was there
  }
}

// A whiteout matters when it deletes a tracked path or a directory holding one.
function affectsTracked(path: string): boolean {
  return isTrackedPath(path) || WANTED_PATHS.some((w) => w.startsWith(`${path}/`));
}

type Node = { kind: 'file'; content: string | undefined } | { kind: 'dir' } | { kind: 'symlink'; target: string };

/** The merged view of the tracked paths after applying layers bottom to top. */
export class OverlayView {
  private readonly _nodes = new Map<string, Node>();

  /** Applies one layer's entries on top of the layers applied so far. */
  applyLayer(entries: readonly LayerEntry[]): void {
    // Whiteouts hide what the LOWER layers had; files added by this layer stay, so delete first.
    for (const e of entries) {
      if (e.kind === 'whiteout') this._deleteTree(e.path, true);
      else if (e.kind === 'opaque') this._deleteTree(e.path, false);
    }
    const added = new Map<string, Node>();
    for (const e of entries) {
      switch (e.kind) {
        case 'file':
          added.set(e.path, { kind: 'file', content: e.content });
          break;
        case 'dir':
          added.set(e.path, { kind: 'dir' });
          break;
        case 'symlink':
          added.set(e.path, { kind: 'symlink', target: e.target });
          break;
        case 'hardlink': {
          // A hard link shares content with an earlier entry of the same layer (or a lower one).
          const src = added.get(e.target) ?? this._nodes.get(e.target);
          added.set(e.path, src?.kind === 'file' ? src : { kind: 'file', content: undefined });
          break;
        }
        default:
          break;
      }
    }
    for (const [path, node] of added) {
      // Anything but a directory replaces a lower directory together with its contents.
      if (node.kind !== 'dir') this._deleteTree(path, false);
      const lower = this._nodes.get(path);
      if (node.kind === 'dir' && lower?.kind === 'dir') continue;
      this._nodes.set(path, node);
    }
  }

  /** The content of a file after following symlinks, or undefined when absent or unreadable. */
  readFile(path: string): string | undefined {
    const resolved = this._resolve(normalizeEntryPath(path));
    if (resolved === undefined) return undefined;
    const node = this._nodes.get(resolved);
    return node?.kind === 'file' ? node.content : undefined;
  }

  private _deleteTree(path: string, includeSelf: boolean): void {
    const prefix = path === '' ? '' : `${path}/`;
    for (const key of [...this._nodes.keys()]) {
      if ((includeSelf && key === path) || key.startsWith(prefix)) this._nodes.delete(key);
    }
  }

  // Resolves symlinks component by component, like the kernel does, with its 40-hop limit.
  private _resolve(path: string): string | undefined {
    let parts = path.split('/').filter(Boolean);
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const here = parts.slice(0, i + 1).join('/');
      const node = this._nodes.get(here);
      if (node?.kind !== 'symlink') continue;
      if (++hops > 40) return undefined;
      const base = node.target.startsWith('/') ? '' : parts.slice(0, i).join('/');
      const rest = parts.slice(i + 1).join('/');
      parts = normalizeEntryPath(`${base}/${node.target}/${rest}`).split('/').filter(Boolean);
      i = -1; // start over: the new prefix may contain symlinks too
    }
    return parts.join('/');
  }
}
