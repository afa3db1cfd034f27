/**
 * YAML with source positions: parse errors and schema problems point at the line and column in the lab
 * file, not in the YAML snippet (front matter, a check block).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';

/** Where a YAML snippet starts in the lab file (1-based), and how far its lines are indented there. */
export interface YamlOrigin {
  line: number;
  column: number;
}

/** A located message from parsing YAML. */
export interface YamlMessage {
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

/** Parsed YAML with a way back to file positions. */
export interface LocatedYaml {
  doc: Document;
  messages: YamlMessage[];
  /** The file position of an offset in the snippet (every line of the snippet is indented by `origin.column - 1`). */
  at(offset: number): { line: number; column: number };
  /**
   * The file position of the deepest key along `path` that exists (the key itself, so a message lands on
   * the line an author would edit); the snippet's start when not even the first key exists.
   */
  keyAt(path: readonly PropertyKey[]): { line: number; column: number };
}

/** Parses a YAML snippet that starts at `origin` in the file. Never throws. */
export function parseLocatedYaml(text: string, origin: YamlOrigin): LocatedYaml {
  const lineCounter = new LineCounter();
  // uniqueKeys: a repeated key is an error, not a silent override. maxAliasCount bounds "billion laughs".
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: origin.line + pos.line - 1, column: origin.column + pos.col - 1 };
  };
  const messages: YamlMessage[] = [
    ...doc.errors.map((e) => ({ ...at(e.pos[0]), severity: 'error' as const, message: yamlMessage(e.message) })),
    ...doc.warnings.map((e) => ({ ...at(e.pos[0]), severity: 'warning' as const, message: yamlMessage(e.message) })),
  ];
  const keyAt = (path: readonly PropertyKey[]) => {
    let node: unknown = doc.contents;
    let found: number | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value === segment : p.key === segment));
        if (!pair) break;
        const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
        if (keyRange) found = keyRange[0];
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        if (range) found = range[0];
      } else break;
    }
    return found === undefined ? { line: origin.line, column: origin.column } : at(found);
  };
  return { doc, messages, at, keyAt };
}

/** The yaml library's first message line, without its own "at line x, column y" (we give the real one). */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/\s+at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

/** A parsed YAML value as plain data; undefined if the document had errors. Never throws. */
export function yamlToData(parsed: LocatedYaml): unknown {
  if (parsed.doc.errors.length) return undefined;
  try {
    return parsed.doc.toJS({ maxAliasCount: 100 });
  } catch {
    // toJS throws on excessive aliasing; that is reported by the caller as an invalid document.
    return undefined;
  }
}
