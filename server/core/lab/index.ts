/**
 * The lab format (docs/lab-format.md): parsing lab.md into a {@link LabDefinition} with located problems,
 * and the `{{variables}}` a lab uses. Pure: no I/O; the catalog and `labrunner lint` read the files.
 */
export type { CheckSpec, LabDefinition, LabEnvironment, LabProblem, LabStep, LabVariable, ProgressiveHint, SourcePosition } from './model.ts';
export { parseLab, type ParseLabOptions, type ParseLabResult } from './parse-lab.ts';
export { frontMatterSchema, type FrontMatter } from './front-matter.ts';
export { DEFAULT_STEP_POINTS, STEP_ID_PATTERN, slugify } from './headings.ts';
export { SERVED_LAB_FOLDERS } from './links.ts';
export { MAX_PROBLEMS_PER_FILE } from './problems.ts';
export { formatBytes, MAX_LAB_BYTES } from './source-text.ts';
export {
  BUILT_IN_VARIABLES,
  findVariableReferences,
  resolveLabVariables,
  sampleVariables,
  substituteInValue,
  substituteVariables,
  VARIABLE_NAME_PATTERN,
  type BuiltInVariable,
  type LearnerVariableContext,
  type VariableReference,
} from './variables.ts';
