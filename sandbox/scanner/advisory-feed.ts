/**
 * The advisory feed: every `*.json` OSV file in a folder (one record per file, or an array),
 * parsed and indexed once. A malformed file is reported in `problems` and skipped, so one bad
 * file in a dropped-in OSV export does not take scanning down.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { indexAdvisories, parseOsvDocument } from '../core/scanning/index.ts';
import type { AdvisoryIndex, FeedProblem, OsvAdvisory } from '../core/scanning/index.ts';

/** Parsed, indexed advisories plus what could not be used. */
export interface AdvisoryFeed {
  readonly advisories: readonly OsvAdvisory[];
  readonly index: AdvisoryIndex;
  readonly problems: readonly FeedProblem[];
  /** Latest `modified` among the records, epoch milliseconds (ECR's vulnerabilitySourceUpdatedAt). */
  readonly updatedAt: number | undefined;
}

/** Builds a feed from records already in memory. */
export function createAdvisoryFeed(advisories: readonly OsvAdvisory[], problems: readonly FeedProblem[] = []): AdvisoryFeed {
  let updatedAt: number | undefined;
  for (const a of advisories) {
    const t = a.modified === undefined ? NaN : Date.parse(a.modified);
    if (!Number.isNaN(t) && (updatedAt === undefined || t > updatedAt)) updatedAt = t;
  }
  return { advisories, index: indexAdvisories(advisories), problems, updatedAt };
}

/**
 * Loads every `*.json` file directly inside `dir` (not recursive; other files, such as a
 * README, are ignored).
 * @throws when `dir` itself cannot be read — a missing feed is a configuration error
 * @example
 * const feed = await loadAdvisoryFeed(new URL('../advisories/', import.meta.url).pathname);
 * for (const p of feed.problems) log.warn(`advisory feed: ${p.source}: ${p.message}`);
 */
export async function loadAdvisoryFeed(dir: string): Promise<AdvisoryFeed> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isFile() && d.name.endsWith('.json'))
    .map((d) => d.name)
    .sort();
  const advisories: OsvAdvisory[] = [];
  const problems: FeedProblem[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (err) {
      problems.push({ source: name, message: `unreadable: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseOsvDocument(text, name);
    // A full OSV export can hold very large arrays: push one by one, not by spreading.
    for (const a of parsed.advisories) advisories.push(a);
    for (const p of parsed.problems) problems.push(p);
  }
  return createAdvisoryFeed(advisories, problems);
}
