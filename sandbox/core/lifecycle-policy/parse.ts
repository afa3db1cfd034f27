import { lengthFailure, MAX_POLICY_LENGTH, MIN_POLICY_LENGTH, schema, validationFailure } from './messages.ts';
import { checkRules } from './rule-checks.ts';
import { readPolicy } from './schema.ts';
import type { ParseLifecyclePolicyResult } from './types.ts';

/**
 * Validates lifecycle policy text the way PutLifecyclePolicy and StartLifecyclePolicyPreview do.
 * A rejected policy is an outcome, not an error: `message` is the full text of the
 * InvalidParameterException ECR would return.
 *
 * @example
 * const parsed = parseLifecyclePolicy(text);
 * if (!parsed.ok) throw new AwsError('InvalidParameterException', parsed.message);
 */
export function parseLifecyclePolicy(text: string): ParseLifecyclePolicyResult {
  // Smithy length constraints count code points, not UTF-16 units.
  const length = Array.from(text).length;
  if (length < MIN_POLICY_LENGTH || length > MAX_POLICY_LENGTH) return { ok: false, message: lengthFailure(length) };

  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, message: validationFailure(schema.unmappable()) };
  }

  const read = readPolicy(doc);
  if (!read.ok) return { ok: false, message: validationFailure(read.detail) };
  const problem = checkRules(read.policy);
  if (problem !== undefined) return { ok: false, message: validationFailure(problem) };
  return { ok: true, policy: read.policy };
}
