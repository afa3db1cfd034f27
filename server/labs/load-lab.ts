import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes, MAX_LAB_BYTES, parseLab, SERVED_LAB_FOLDERS, type LabProblem, type ParseLabResult } from '../core/lab/index.ts';
import type { ICheckerSchemas } from './checker-registry.ts';

/** Entries of assets/ and files/ read to check links; a lab with more is not a lab. */
const MAX_LISTED_FILES = 10_000;

/** How one lab folder is read. */
export interface LoadLabOptions {
  checkers: ICheckerSchemas;
  /** The name problems carry for lab.md (`labs/ecr-basics/lab.md` in lint, `ecr-basics/lab.md` in the browser). */
  displayFile: string;
  /** The id the front matter must declare; by default the folder's name. */
  labId?: string;
}

/**
 * Reads `<dir>/lab.md` and what it refers to (solve/ scripts, assets/ and files/) and parses it. Never throws
 * for a missing, unreadable or oversized file: that is a problem in the result.
 */
export async function loadLabFolder(dir: string, options: LoadLabOptions): Promise<ParseLabResult> {
  const file = path.join(dir, 'lab.md');
  const at1 = (message: string): ParseLabResult => ({ problems: [problem(options.displayFile, message)] });
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) return at1('lab.md is not a file');
    if (info.size > MAX_LAB_BYTES) return at1(`lab.md is ${formatBytes(info.size)}; the limit is ${formatBytes(MAX_LAB_BYTES)} (move large content to assets/ or files/)`);
    text = await readCapped(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return at1(code === 'ENOENT' ? `there is no lab.md in ${path.basename(dir)}/` : `lab.md cannot be read (${code ?? String(err)})`);
  }
  const [solveScripts, files] = await Promise.all([listSolveScripts(dir), listServedFiles(dir)]);
  return parseLab(options.displayFile, text, {
    checkerSchemas: (id) => options.checkers.schemaFor(id),
    knownCheckers: options.checkers.ids,
    solveScripts,
    assetExists: (rel) => files.has(rel),
    labId: options.labId ?? path.basename(dir),
  });
}

/**
 * A fingerprint of what a parse of `dir` depends on: lab.md's size and time, and the times of the folders
 * whose listing it reads. The catalog re-parses when it changes. (A file added deep inside assets/ changes
 * only its own folder's time; restart the server or touch lab.md after reorganising nested assets.)
 */
export async function labStamp(dir: string): Promise<string> {
  const parts = await Promise.all(
    ['lab.md', 'solve', ...SERVED_LAB_FOLDERS].map(async (name) => {
      try {
        const s = await stat(path.join(dir, name));
        return `${s.mtimeMs}:${s.size}:${s.ino}`;
      } catch {
        return '-';
      }
    }),
  );
  return parts.join('|');
}

function problem(file: string, message: string): LabProblem {
  return { file, line: 1, column: 1, severity: 'error', message };
}

/** Reads at most MAX_LAB_BYTES + 1 bytes (the file may grow between stat and read). */
async function readCapped(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_LAB_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    // Invalid UTF-8 becomes U+FFFD, which the parser reports as "not UTF-8" at its position.
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function listSolveScripts(dir: string): Promise<Set<string>> {
  let names: string[];
  try {
    names = await readdir(path.join(dir, 'solve'));
  } catch {
    return new Set();
  }
  return new Set(names.filter((n) => n.endsWith('.sh')).map((n) => n.slice(0, -'.sh'.length)));
}

/** Relative paths (`assets/arch.png`) of everything under the served folders, folders included. */
async function listServedFiles(dir: string): Promise<Set<string>> {
  const found = new Set<string>();
  const walk = async (rel: string, depth: number): Promise<void> => {
    if (depth > 12 || found.size >= MAX_LISTED_FILES) return;
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (found.size >= MAX_LISTED_FILES) return;
      const child = `${rel}/${e.name}`;
      found.add(child);
      if (e.isDirectory()) await walk(child, depth + 1);
    }
  };
  for (const folder of SERVED_LAB_FOLDERS) await walk(folder, 0);
  return found;
}
