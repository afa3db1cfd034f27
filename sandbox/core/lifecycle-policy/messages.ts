/**
 * The texts ECR puts in InvalidParameterException when it rejects a lifecycle policy.
 *
 * ECR checks the policy's shape with a JSON-schema validator (java-json-tools / fge): its
 * reports reach the caller verbatim, e.g. "instance failed to match exactly one schema
 * (matched 0 out of 2)" as quoted in cloudposse/terraform-aws-ecr#132 and #158. The rules a
 * schema can't express (one untagged rule, `any` last, ...) come from ECR's own code; the
 * texts marked "seen" below were quoted from real ECR responses, the others are ours,
 * written in the same voice.
 */

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

/** Wraps a validation detail the way ECR does. */
export function validationFailure(detail: string): string {
  return `${PREFIX}${detail}'`;
}

/**
 * The length constraint comes from the API model (lifecyclePolicyText: 100..30720), not from the
 * policy validator, so it carries no "Lifecycle policy validation failure" prefix. Not seen verbatim.
 */
export function lengthFailure(length: number): string {
  const constraint =
    length < MIN_POLICY_LENGTH
      ? `Member must have length greater than or equal to ${MIN_POLICY_LENGTH}`
      : `Member must have length less than or equal to ${MAX_POLICY_LENGTH}`;
  return `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: '${constraint}'`;
}

export const MIN_POLICY_LENGTH = 100;
export const MAX_POLICY_LENGTH = 30_720;

/** JSON-schema primitive type names, as the validator prints them. */
export type JsonType = 'array' | 'boolean' | 'integer' | 'null' | 'number' | 'object' | 'string';

/** The validator's name for a parsed JSON value's type. */
export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return 'object';
}

/** Schema-validator report texts (java-json-tools message bundle). */
export const schema = {
  /** Seen (moto's tests, which mirror ECR): text that is not JSON, or JSON that is not an object. */
  unmappable: () => 'Could not map policyString into LifecyclePolicy.',
  missing: (names: readonly string[]) =>
    `object has missing required properties (${JSON.stringify([...names].sort())})`,
  notAllowed: (names: readonly string[]) =>
    `object instance has properties which are not allowed by the schema: ${JSON.stringify([...names].sort())}`,
  /** Seen: `instance type (null) does not match any allowed primitive type (allowed: ["array"])`. */
  wrongType: (found: JsonType, allowed: JsonType) =>
    `instance type (${found}) does not match any allowed primitive type (allowed: ${JSON.stringify([allowed])})`,
  notInEnum: (value: unknown, allowed: readonly string[]) =>
    `instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(allowed)})`,
  tooSmall: (minimum: number, found: number) =>
    `numeric instance is lower than the required minimum (minimum: ${minimum}, found: ${found})`,
  tooShort: (minimum: number, found: number) =>
    `array is too short: must have at least ${minimum} elements but instance has ${found} elements`,
  /** Seen: what ECR says when `countType` and `countUnit` don't fit together (or countType is unknown). */
  oneOfFailed: () => 'instance failed to match exactly one schema (matched 0 out of 2)',
} as const;

/** Texts for the rules ECR checks in code, after the schema. */
export const rules = {
  /** Seen. */
  taggedNeedsList: () => 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.',
  /** Seen (the "per storage class" wording is current ECR; older responses lacked it). */
  oneUntagged: () => 'Only one rule can select Untagged images per storage class.',
  /** Seen (quoted without the final period; we assume ECR's usual one). */
  anyLast: () => 'Rule for tagStatus=ANY must have the lowest priority per storage class.',
  duplicatePriority: (priority: number) =>
    `Rule priorities must be unique; rulePriority ${priority} is used by more than one rule.`,
  bothLists: (priority: number) =>
    `Rule with rulePriority ${priority} cannot specify both tagPrefixList and tagPatternList.`,
  listNotAllowed: (priority: number, status: string, field: string) =>
    `Rule with rulePriority ${priority} has tagStatus=${status.toUpperCase()} and must not specify ${field}; it is only allowed when tagStatus=TAGGED.`,
  tooManyWildcards: (priority: number, pattern: string, count: number) =>
    `tagPatternList entry '${pattern}' in rule with rulePriority ${priority} has ${count} wildcards (*); the maximum is 4.`,
  sameTags: (first: number, second: number, field: string) =>
    `Rules with rulePriority ${first} and ${second} select the same ${field}; each rule must select a unique set of tags.`,
  /** Ours: newer ECR features this sandbox does not model, said plainly instead of pretending. */
  unsupported: (priority: number, what: string) =>
    `${what} in rule with rulePriority ${priority} is not supported by the labrunner sandbox (only expire with imageCountMoreThan or sinceImagePushed).`,
} as const;
