/**
 * The structural half of ECR's lifecycle-policy validation: what its JSON schema checks
 * (types, required and unknown fields, enums, minimums), reported with the schema
 * validator's own texts. Cross-rule checks live in rule-checks.ts.
 */
import { jsonTypeOf, rules as ruleText, schema as text } from './messages.ts';
import type { JsonType } from './messages.ts';
import type { LifecycleCountType, LifecyclePolicy, LifecycleRule, LifecycleSelection, LifecycleTagStatus } from './types.ts';

type JsonObject = Record<string, unknown>;

/** Outcome of reading the parsed JSON into a policy: the policy, or the first problem's detail text. */
export type ReadResult = { readonly ok: true; readonly policy: LifecyclePolicy } | { readonly ok: false; readonly detail: string };

/** Thrown only inside this module, to unwind from the first problem found; never escapes {@link readPolicy}. */
class SchemaProblem {
  constructor(readonly detail: string) {}
}

function fail(detail: string): never {
  throw new SchemaProblem(detail);
}

const TAG_STATUSES: readonly LifecycleTagStatus[] = ['any', 'tagged', 'untagged'];
const COUNT_TYPES: readonly LifecycleCountType[] = ['imageCountMoreThan', 'sinceImagePushed'];
// Newer ECR count types that need archive storage, which the sandbox doesn't have.
const UNSUPPORTED_COUNT_TYPES = ['sinceImagePulled', 'sinceImageTransitioned'];

/**
 * Checks a parsed JSON document against the lifecycle-policy schema, first problem wins,
 * in document order (the schema validator reports every problem; ECR users mostly see one).
 */
export function readPolicy(doc: unknown): ReadResult {
  try {
    return { ok: true, policy: readRoot(doc) };
  } catch (err) {
    if (err instanceof SchemaProblem) return { ok: false, detail: err.detail };
    throw err;
  }
}

function readRoot(doc: unknown): LifecyclePolicy {
  // A JSON array or scalar can't be mapped onto the policy object at all.
  if (jsonTypeOf(doc) !== 'object') fail(text.unmappable());
  const root = checkObject(doc, ['rules'], ['rules']);
  const rules = expectType(root['rules'], 'array') as unknown[];
  if (rules.length < 1) fail(text.tooShort(1, rules.length));
  return { rules: rules.map(readRule) };
}

function readRule(value: unknown): LifecycleRule {
  const rule = checkObject(value, ['rulePriority', 'selection', 'action'], ['rulePriority', 'description', 'selection', 'action']);
  const rulePriority = expectType(rule['rulePriority'], 'integer') as number;
  if (rulePriority < 1) fail(text.tooSmall(1, rulePriority));
  const description = rule['description'] === undefined ? undefined : (expectType(rule['description'], 'string') as string);
  const selection = readSelection(rule['selection'], rulePriority);
  readAction(rule['action'], rulePriority);
  return {
    rulePriority,
    ...(description === undefined ? {} : { description }),
    selection,
    action: { type: 'expire' },
  };
}

function readSelection(value: unknown, priority: number): LifecycleSelection {
  const allowed = ['tagStatus', 'tagPrefixList', 'tagPatternList', 'countType', 'countUnit', 'countNumber', 'storageClass'];
  const sel = checkObject(value, ['tagStatus', 'countType', 'countNumber'], allowed);

  // "If you omit this, the value of standard will be used": standard is the only class we have.
  if (sel['storageClass'] !== undefined && sel['storageClass'] !== 'standard') {
    fail(ruleText.unsupported(priority, `storageClass ${JSON.stringify(sel['storageClass'])}`));
  }

  const tagStatus = sel['tagStatus'];
  if (typeof tagStatus !== 'string' || !(TAG_STATUSES as readonly string[]).includes(tagStatus)) {
    fail(text.notInEnum(tagStatus, TAG_STATUSES));
  }
  const tagPrefixList = readStringList(sel['tagPrefixList']);
  const tagPatternList = readStringList(sel['tagPatternList']);

  const countType = sel['countType'];
  if (typeof countType === 'string' && UNSUPPORTED_COUNT_TYPES.includes(countType)) {
    fail(ruleText.unsupported(priority, `countType ${countType}`));
  }
  // ECR's schema has one branch per countType (with and without countUnit); a selection that
  // fits neither branch is reported as a oneOf failure rather than naming the field.
  if (typeof countType !== 'string' || !(COUNT_TYPES as readonly string[]).includes(countType)) fail(text.oneOfFailed());
  const countUnit = sel['countUnit'];
  if (countType === 'imageCountMoreThan' && countUnit !== undefined) fail(text.oneOfFailed());
  if (countType === 'sinceImagePushed') {
    if (countUnit === undefined || countUnit === null) fail(text.oneOfFailed());
    if (countUnit !== 'days') fail(text.notInEnum(countUnit, ['days']));
  }

  const countNumber = expectType(sel['countNumber'], 'integer') as number;
  if (countNumber < 1) fail(text.tooSmall(1, countNumber));

  return {
    tagStatus: tagStatus as LifecycleTagStatus,
    ...(tagPrefixList === undefined ? {} : { tagPrefixList }),
    ...(tagPatternList === undefined ? {} : { tagPatternList }),
    countType: countType as LifecycleCountType,
    ...(countType === 'sinceImagePushed' ? { countUnit: 'days' as const } : {}),
    countNumber,
  };
}

function readAction(value: unknown, priority: number): void {
  const action = checkObject(value, ['type'], ['type', 'targetStorageClass']);
  const type = action['type'];
  if (type === 'transition') fail(ruleText.unsupported(priority, 'action type transition'));
  if (action['targetStorageClass'] !== undefined) fail(ruleText.unsupported(priority, 'targetStorageClass'));
  if (type !== 'expire') fail(text.notInEnum(type, ['expire']));
}

function readStringList(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = expectType(value, 'array') as unknown[];
  for (const item of list) expectType(item, 'string');
  return list as string[];
}

/** Type, then required members, then members the schema doesn't know: the validator's order. */
function checkObject(value: unknown, required: readonly string[], allowed: readonly string[]): JsonObject {
  const obj = expectType(value, 'object') as JsonObject;
  const missing = required.filter((name) => !Object.hasOwn(obj, name));
  if (missing.length > 0) fail(text.missing(missing));
  const unknown = Object.keys(obj).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) fail(text.notAllowed(unknown));
  return obj;
}

function expectType(value: unknown, type: JsonType): unknown {
  const found = jsonTypeOf(value);
  // JSON schema's "number" admits integers too.
  if (found !== type && !(type === 'number' && found === 'integer')) fail(text.wrongType(found, type));
  return value;
}
