import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CLIENT_DIR, CLIENT_DIST } from './paths.ts';

/**
 * Builds the browser app with Vite when its bundle is missing or older than its sources, so that
 * `npm install && npm start` works with no separate build step and a source edit is never served stale.
 */
export async function ensureClientBuilt(log: (msg: string) => void): Promise<void> {
  const built = await mtime(path.join(CLIENT_DIST, 'index.html'));
  const newestSource = await newestMtime(CLIENT_DIR, new Set([CLIENT_DIST, path.join(CLIENT_DIR, 'node_modules')]));
  if (built !== undefined && built >= newestSource) return;
  log('building the browser app…');
  const { build } = await import('vite');
  await build({ configFile: path.join(CLIENT_DIR, 'vite.config.ts'), logLevel: 'warn' });
}

async function mtime(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function newestMtime(dir: string, skip: Set<string>): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip.has(full)) continue;
    const t = entry.isDirectory() ? await newestMtime(full, skip) : ((await mtime(full)) ?? 0);
    newest = Math.max(newest, t);
  }
  return newest;
}
