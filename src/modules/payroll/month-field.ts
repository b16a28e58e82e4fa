import { z } from 'zod';

/** `YYYY-MM` with a month 01–12: the one month shape payroll's forms, queries and use cases accept. */
export const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A month field `YYYY-MM` (01–12), the one check every payroll form and query uses. */
export const monthField = () => z.string({ error: 'must be a month YYYY-MM' }).regex(ISO_MONTH, 'must be a month YYYY-MM');
