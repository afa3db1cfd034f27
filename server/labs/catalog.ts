import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LAB_ID_PATTERN, type LabSummary, type LabView } from '../core/protocol.ts';
import { createLabRenderer } from './render.ts';

/** A lab on disk. */
export interface LabEntry extends LabSummary {
  dir: string;
  body: string;
}

/** Reads labs from `<labsDir>/<id>/lab.md` (YAML front matter + Markdown). */
export interface ILabCatalog {
  list(): Promise<LabSummary[]>;
  get(id: string): Promise<LabEntry | undefined>;
  view(id: string): Promise<LabView | undefined>;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/**
 * The lab catalog of the walking skeleton: enough of the lab format to list and show labs.
 * The full format (steps, checks, variables) is docs/lab-format.md.
 */
export class FileLabCatalog implements ILabCatalog {
  private readonly _render = createLabRenderer();

  constructor(private readonly _labsDir: string) {}

  async list(): Promise<LabSummary[]> {
    let names: string[];
    try {
      names = await readdir(this._labsDir);
    } catch {
      return [];
    }
    const labs: LabSummary[] = [];
    for (const name of names.sort()) {
      const lab = await this.get(name).catch(() => undefined);
      if (lab) labs.push({ id: lab.id, title: lab.title, summary: lab.summary });
    }
    return labs;
  }

  async get(id: string): Promise<LabEntry | undefined> {
    if (!LAB_ID_PATTERN.test(id)) return undefined;
    const dir = path.join(this._labsDir, id);
    const file = path.join(dir, 'lab.md');
    let text: string;
    try {
      if (!(await stat(file)).isFile()) return undefined;
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    const match = FRONT_MATTER.exec(text);
    const meta = (match ? parseYaml(match[1]!) : {}) as Record<string, unknown>;
    const body = match ? text.slice(match[0].length) : text;
    return {
      id,
      dir,
      body,
      title: typeof meta.title === 'string' ? meta.title : id,
      summary: typeof meta.summary === 'string' ? meta.summary : '',
    };
  }

  async view(id: string): Promise<LabView | undefined> {
    const lab = await this.get(id);
    if (!lab) return undefined;
    return { id: lab.id, title: lab.title, summary: lab.summary, html: this._render(lab.body, lab.id) };
  }
}
