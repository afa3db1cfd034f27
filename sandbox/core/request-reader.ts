/**
 * Reads an operation's JSON input the way AWS's front end validates it: type, length, range and enum
 * problems are collected and reported together as one ValidationException
 * (`1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: Member must ...`).
 */
import { validationError } from './aws-error.ts';

type Json = unknown;

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  values?: readonly string[];
}

/** Collects constraint problems while reading fields; call {@link RequestReader.done} before acting. */
export class RequestReader {
  private readonly _problems: string[] = [];
  constructor(
    private readonly _input: Record<string, Json>,
    private readonly _path = '',
  ) {}

  /** Wraps a parsed body; a non-object body reads as empty (missing members are reported per field). */
  static of(input: unknown): RequestReader {
    return new RequestReader(isObject(input) ? input : {});
  }

  private _at(field: string): string {
    return this._path ? `${this._path}.${field}` : field;
  }

  private _problem(value: unknown, field: string, constraint: string): void {
    const shown = typeof value === 'string' ? `'${value}'` : value === undefined ? 'null' : JSON.stringify(value);
    this._problems.push(`Value ${shown} at '${this._at(field)}' failed to satisfy constraint: ${constraint}`);
  }

  /** An optional string member. */
  string(field: string, rule: StringRule = {}): string | undefined {
    const v = this._input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this._problem(v, field, 'Member must be a string');
      return undefined;
    }
    if (rule.min !== undefined && v.length < rule.min)
      this._problem(v, field, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max)
      this._problem(v, field, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(v))
      this._problem(v, field, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    if (rule.values && !rule.values.includes(v))
      this._problem(v, field, `Member must satisfy enum value set: [${rule.values.join(', ')}]`);
    return v;
  }

  /** A required string member. */
  requiredString(field: string, rule: StringRule = {}): string {
    const v = this.string(field, rule);
    if (v === undefined && !this._isWrongType(field)) this._problem(undefined, field, 'Member must not be null');
    return v ?? '';
  }

  /** An optional enum member, typed. */
  enumOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    return this.string(field, { values }) as T | undefined;
  }

  /** An optional boolean member. */
  boolean(field: string): boolean | undefined {
    const v = this._input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this._problem(v, field, 'Member must be a boolean');
      return undefined;
    }
    return v;
  }

  /** An optional integer member within [min, max]. */
  integer(field: string, min?: number, max?: number): number | undefined {
    const v = this._input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this._problem(v, field, 'Member must be an integer');
      return undefined;
    }
    if (min !== undefined && v < min) this._problem(v, field, `Member must have value greater than or equal to ${min}`);
    if (max !== undefined && v > max) this._problem(v, field, `Member must have value less than or equal to ${max}`);
    return v;
  }

  /** An optional structure member, read with a nested reader that reports into this one. */
  object<T>(field: string, read: (r: RequestReader) => T): T | undefined {
    const v = this._input[field];
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) {
      this._problem(v, field, 'Member must be a structure');
      return undefined;
    }
    const nested = new RequestReader(v, this._at(field));
    const out = read(nested);
    this._problems.push(...nested._problems);
    return out;
  }

  /** A required structure member. */
  requiredObject<T>(field: string, read: (r: RequestReader) => T): T | undefined {
    if (this._input[field] === undefined || this._input[field] === null) {
      this._problem(undefined, field, 'Member must not be null');
      return undefined;
    }
    return this.object(field, read);
  }

  /** An optional list member whose items are structures. */
  objectList<T>(field: string, read: (r: RequestReader) => T, opts: { min?: number; max?: number } = {}): T[] | undefined {
    const v = this._input[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this._problem(v, field, 'Member must be a list');
      return undefined;
    }
    this._checkCount(v, field, opts);
    return v.map((item, i) => {
      const nested = new RequestReader(isObject(item) ? item : {}, `${this._at(field)}.${i + 1}.member`);
      const out = read(nested);
      this._problems.push(...nested._problems);
      return out;
    });
  }

  /** An optional list of strings. */
  stringList(field: string, rule: StringRule & { minItems?: number; maxItems?: number } = {}): string[] | undefined {
    const v = this._input[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this._problem(v, field, 'Member must be a list of strings');
      return undefined;
    }
    this._checkCount(v, field, { min: rule.minItems, max: rule.maxItems });
    const items = v as string[];
    const probe = new RequestReader({}, this._path);
    items.forEach((s, i) => {
      probe._input[`${field}.${i + 1}.member`] = s;
      probe.string(`${field}.${i + 1}.member`, rule);
    });
    this._problems.push(...probe._problems);
    return items;
  }

  /** Throws the collected ValidationException, if any. */
  done(): void {
    if (this._problems.length > 0) throw validationError(this._problems);
  }

  private _isWrongType(field: string): boolean {
    const v = this._input[field];
    return v !== undefined && v !== null;
  }

  private _checkCount(v: unknown[], field: string, opts: { min?: number | undefined; max?: number | undefined }): void {
    if (opts.min !== undefined && v.length < opts.min)
      this._problem(v, field, `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && v.length > opts.max)
      this._problem(v, field, `Member must have length less than or equal to ${opts.max}`);
  }
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
