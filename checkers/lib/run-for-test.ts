/** Runs one checker through the real registry, as the grader does (for tests of checkers that need no AWS). */
import type { CheckContext, CheckerDefinition, CheckResult } from '../../server/core/checks.ts';
import { CheckerRegistry } from '../../server/core/grading/checker-registry.ts';
import { nodeDeadlines } from './deadline.ts';

export function runChecker(
  checker: CheckerDefinition,
  params: unknown,
  ctx: Partial<Omit<CheckContext, 'signal'>> & { signal?: AbortSignal } = {},
  timeoutMs = 10_000,
): Promise<CheckResult> {
  const registry = new CheckerRegistry(nodeDeadlines);
  registry.register(checker);
  return registry.runCheck(checker, params, { learnerId: 'learner', variables: {}, aws: undefined, workspace: process.cwd(), ...ctx }, { timeoutMs });
}
