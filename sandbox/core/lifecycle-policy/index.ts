/**
 * The local ECR's lifecycle-policy engine, pure: validate policy text exactly as ECR does,
 * work out which images a policy expires, and shape that as a GetLifecyclePolicyPreview answer.
 * The ECR adapter owns storage, the 24-hour schedule and the actual deletes.
 */
export { parseLifecyclePolicy } from './parse.ts';
export { evaluateLifecyclePolicy } from './evaluate.ts';
export { toPreviewResults } from './preview.ts';
export type {
  LifecycleCountType,
  LifecycleExpiry,
  LifecycleImage,
  LifecyclePolicy,
  LifecyclePreview,
  LifecyclePreviewResult,
  LifecycleRule,
  LifecycleSelection,
  LifecycleTagStatus,
  ParseLifecyclePolicyResult,
} from './types.ts';
