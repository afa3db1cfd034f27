import type { z } from 'zod';
import type { ParamProblem, ParamSchema } from '../../server/core/checks.ts';

/**
 * Adapts a zod schema to the core's {@link ParamSchema}: every zod issue becomes a `{ path, message }`
 * problem, so a lab author sees all of them at once. Use strict objects so a misspelt parameter is reported
 * rather than silently ignored.
 * @example
 * params: zodParams(z.strictObject({ name: z.string().min(1) }))
 */
export function zodParams<S extends z.ZodType>(schema: S): ParamSchema<z.output<S>> {
  return {
    parse(raw) {
      const result = schema.safeParse(raw);
      if (result.success) return { ok: true, value: result.data };
      const problems: ParamProblem[] = result.error.issues.map((issue) => ({
        path: issue.path.length === 0 ? '(params)' : issue.path.map(String).join('.'),
        message: issue.message,
      }));
      return { ok: false, problems };
    },
  };
}
