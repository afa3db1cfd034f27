// Builds (when stale) the esbuild bundle that `labrunner serve` and `labrunner sandbox` run from.
// Plain JavaScript: it runs before any TypeScript loader exists.
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** node_modules/.cache is where tools keep generated files (ignored by git, cleared by a fresh install). */
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'labrunner');
const ENTRY = path.join(ROOT, 'cli', 'main.ts');
/** Everything the CLI can import from this repository; packages stay external and load from node_modules. */
const SOURCE_DIRS = ['cli', 'server', 'sandbox', 'checkers', 'common'].map((d) => path.join(ROOT, d));
/** Older builds kept, for servers still running from them (their lazily loaded chunks must stay on disk). */
const KEEP_BUILDS = 3;

/**
 * Returns the file URL of an up-to-date bundle of cli/main.ts, building it first (~100 ms) when any source file,
 * or this builder, changed. Each build has its own folder named after the newest source time, built under a
 * temporary name and renamed into place, so two processes starting at once never see half a bundle.
 * @returns {Promise<string>}
 */
export async function serverBundle() {
  const stamp = Math.max(mtime(fileURLToPath(import.meta.url)) ?? 0, ...SOURCE_DIRS.map(newestSource));
  const dir = path.join(OUT_DIR, String(Math.round(stamp)));
  const main = path.join(dir, 'main.mjs');
  if (mtime(main) === undefined) await build(dir);
  return pathToFileURL(main).href;
}

/** @param {string} dir */
async function build(dir) {
  const esbuild = await import('esbuild');
  const tmp = `${dir}.${process.pid}.tmp`;
  try {
    await esbuild.build({
      entryPoints: [ENTRY],
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // Dynamic imports become chunks loaded on use: `serve` never loads the sandbox's SQLite, dockerode or registry.
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Class names are compared at run time (error names, logs); renaming on collision would change them.
      keepNames: true,
      logLevel: 'error',
      plugins: [sourceLocationPlugin],
    });
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (mtime(path.join(dir, 'main.mjs')) === undefined) throw err; // not merely another process winning the race
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBuilds();
}

function pruneOldBuilds() {
  const builds = readdirSync(OUT_DIR).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  for (const old of builds.slice(KEEP_BUILDS)) rmSync(path.join(OUT_DIR, old), { recursive: true, force: true });
}

/**
 * Keeps `import.meta.url`/`dirname`/`filename` meaning "this source file" inside the bundle: modules find
 * files beside them (labs, advisories, workers), and in one bundle they would all point at the bundle.
 */
const sourceLocationPlugin = {
  name: 'labrunner-source-location',
  /** @param {import('esbuild').PluginBuild} b */
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
      const contents = (await readFile(file, 'utf8'))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
        .replaceAll('import.meta.filename', JSON.stringify(file));
      return { contents, loader: 'ts' };
    });
  },
};

/** @param {string} file */
function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** @param {string} dir */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (/\.(ts|js|mjs|json)$/.test(entry.name)) newest = Math.max(newest, mtime(full) ?? 0);
  }
  return newest;
}
