import { BugIndicatingError } from '../core/errors.ts';
import type { CheckerDefinition, ParamSchema } from '../core/checks.ts';

/** What loading a lab needs from the checkers: each id's parameter schema, and the ids for suggestions. */
export interface ICheckerSchemas {
  schemaFor(id: string): ParamSchema<unknown> | undefined;
  readonly ids: readonly string[];
}

/**
 * The checker schemas labs are validated against, from a list of checker definitions (`builtInCheckers`
 * from checkers/index.ts once it exists). The one seam through which the catalog and `labrunner lint` learn
 * about checkers; a duplicate id is a bug, as in the grader's registry.
 * @example const schemas = createLintRegistry(builtInCheckers);
 */
export function createLintRegistry(checkers: readonly CheckerDefinition[]): ICheckerSchemas {
  const byId = new Map<string, ParamSchema<unknown>>();
  for (const c of checkers) {
    if (byId.has(c.id)) throw new BugIndicatingError(`two checkers have the id '${c.id}'`);
    byId.set(c.id, c.params as ParamSchema<unknown>);
  }
  return { schemaFor: (id) => byId.get(id), ids: [...byId.keys()].sort() };
}
