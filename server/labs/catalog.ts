import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { resolveLabVariables, type LabDefinition, type LabProblem, type ParseLabResult } from '../core/lab/index.ts';
import { LAB_ID_PATTERN, type LabSummary, type LabView } from '../core/protocol.ts';
import { createLintRegistry, type ICheckerSchemas } from './checker-registry.ts';
import { labStamp, loadLabFolder } from './load-lab.ts';
import { renderLabView, renderUnavailableView } from './render.ts';

/** A lab on disk: its folder, and its definition when it has no errors. */
export interface LabEntry extends LabSummary {
  dir: string;
  /** Undefined when the lab has errors (`available` is false and `problems` says why). */
  definition?: LabDefinition;
  problems: LabProblem[];
}

/** Who a lab page or a check is for: the values behind the built-in variables come from their target. */
export interface LearnerContext {
  learnerId: string;
  accountId?: string;
  region?: string;
  registry?: string;
}

/** Reads labs from `<labsDir>/<id>/lab.md` (docs/lab-format.md). */
export interface ILabCatalog {
  /** Every lab folder, broken ones included (with `available: false` and their problems). */
  list(): Promise<LabSummary[]>;
  get(id: string): Promise<LabEntry | undefined>;
  /**
   * The lab page. With a learner, `{{variables}}` are replaced by that learner's values; without one (or for a
   * built-in the context lacks) they stay as written. A broken lab's view explains what is wrong.
   */
  view(id: string, learner?: LearnerContext): Promise<LabView | undefined>;
  /** Every variable's value for a learner (for the grader, which substitutes them into check parameters). */
  variables(id: string, learner: LearnerContext): Promise<Record<string, string> | undefined>;
}

export interface FileLabCatalogOptions {
  /** Checker schemas to validate check parameters; without them every check is an "unknown checker" error. */
  checkers?: ICheckerSchemas;
  /** Mixed into generated variable values (see resolveLabVariables); keep it stable per installation. */
  variableSecret?: string;
}

interface CacheEntry {
  stamp: string;
  result: Promise<ParseLabResult>;
}

/** The lab catalog: parses each lab once and again whenever its files change. */
export class FileLabCatalog implements ILabCatalog {
  private readonly _cache = new Map<string, CacheEntry>();
  private readonly _checkers: ICheckerSchemas;
  private readonly _secret: string;

  constructor(
    private readonly _labsDir: string,
    options: FileLabCatalogOptions = {},
  ) {
    this._checkers = options.checkers ?? createLintRegistry([]);
    this._secret = options.variableSecret ?? '';
  }

  async list(): Promise<LabSummary[]> {
    let entries: { name: string; isDirectory(): boolean }[];
    try {
      entries = await readdir(this._labsDir, { withFileTypes: true });
    } catch {
      return [];
    }
    const labs: LabSummary[] = [];
    for (const e of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      // Folders that are not labs (no lab.md) are not listed; folders that are labs always are.
      const lab = await this.get(e.name);
      if (lab) labs.push(summaryOf(lab));
    }
    return labs;
  }

  async get(id: string): Promise<LabEntry | undefined> {
    if (!LAB_ID_PATTERN.test(id)) return undefined;
    const dir = path.join(this._labsDir, id);
    const stamp = await labStamp(dir);
    if (stamp.startsWith('-|')) {
      this._cache.delete(id);
      return undefined; // no lab.md
    }
    let cached = this._cache.get(id);
    if (!cached || cached.stamp !== stamp) {
      cached = { stamp, result: loadLabFolder(dir, { checkers: this._checkers, displayFile: `${id}/lab.md`, labId: id }) };
      this._cache.set(id, cached);
    }
    const result = await cached.result;
    const lab = result.lab;
    return {
      id,
      dir,
      title: lab?.title ?? result.title ?? id,
      summary: lab?.summary ?? result.summary ?? '',
      ...(lab?.durationMinutes !== undefined ? { durationMinutes: lab.durationMinutes } : {}),
      ...(lab?.difficulty !== undefined ? { difficulty: lab.difficulty } : {}),
      ...(lab ? { environment: lab.environment } : {}),
      available: lab !== undefined,
      ...(lab ? { definition: lab } : {}),
      problems: result.problems,
    };
  }

  async view(id: string, learner?: LearnerContext): Promise<LabView | undefined> {
    const entry = await this.get(id);
    if (!entry) return undefined;
    if (!entry.definition) return renderUnavailableView(entry, entry.problems);
    const values = learner ? resolveLabVariables(id, entry.definition.variables, { ...learner, secret: this._secret }) : {};
    return renderLabView(entry.definition, values, { problems: entry.problems });
  }

  async variables(id: string, learner: LearnerContext): Promise<Record<string, string> | undefined> {
    const entry = await this.get(id);
    if (!entry?.definition) return undefined;
    return resolveLabVariables(id, entry.definition.variables, { ...learner, secret: this._secret });
  }
}

function summaryOf(entry: LabEntry): LabSummary {
  const { dir: _dir, definition: _definition, problems, ...summary } = entry;
  return problems.length ? { ...summary, problems } : summary;
}
