import { z } from 'zod';

/** A month field `YYYY-MM` (01–12), the one check every payroll form and query uses. */
export const monthField = () => z.string({ error: 'must be a month YYYY-MM' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');
