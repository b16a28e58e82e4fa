import type { z } from 'zod';
import { Invalid } from '../errors.js';

/**
 * Parse request input with a zod schema at the edge; a failure becomes `Invalid` naming each field,
 * which the error handler turns into a 400. Unknown fields are dropped by zod objects by default.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new Invalid(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : 'body',
      message: issue.message,
    })),
  );
}
