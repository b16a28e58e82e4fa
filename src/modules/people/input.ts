import { z } from 'zod';
import { GENDERS } from './schema.js';
import { checkAadhaarLast4, checkBankAccount, checkEsic, checkIfsc, checkPan, checkUan, INDIAN_STATES, type Checked } from './rules/identifiers.js';

/** One parser for the form and the CSV import, so both accept and refuse exactly the same things. */
const blankToNull = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? null : value);

function identifier(check: (raw: string) => Checked) {
  return z.preprocess(
    blankToNull,
    z
      .string()
      .max(40, 'is too long')
      .nullable()
      .optional()
      .transform((raw, ctx) => {
        if (raw === null || raw === undefined) return null;
        const result = check(raw);
        if (!result.ok) {
          ctx.addIssue({ code: 'custom', message: result.message });
          return z.NEVER;
        }
        return result.value;
      }),
  );
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-04-01')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'is not a real date');

const optionalText = (max: number) =>
  z.preprocess(
    blankToNull,
    z
      .string()
      .trim()
      .max(max, `must be at most ${max} characters`)
      .nullable()
      .optional()
      .transform((v) => v ?? null),
  );

export const employeeInput = z
  .object({
    code: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(20, 'must be at most 20 characters')
      .regex(/^[A-Za-z0-9_-]+$/, 'may use letters, digits, - and _ only'),
    fullName: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    email: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .toLowerCase()
        .max(254)
        .email('must be an email address')
        .nullable()
        .optional()
        .transform((v) => v ?? null),
    ),
    phone: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .regex(/^\+?[0-9][0-9 -]{8,17}$/, 'must be a phone number')
        .nullable()
        .optional()
        .transform((v) => v ?? null),
    ),
    departmentId: z.preprocess(
      blankToNull,
      z
        .string()
        .uuid('is not a department')
        .nullable()
        .optional()
        .transform((v) => v ?? null),
    ),
    designation: optionalText(120),
    dateOfJoining: isoDate,
    dateOfLeaving: z.preprocess(
      blankToNull,
      isoDate
        .nullable()
        .optional()
        .transform((v) => v ?? null),
    ),
    workState: z
      .string()
      .trim()
      .toUpperCase()
      .refine((v) => v in INDIAN_STATES, 'must be an Indian state code like KA or MH'),
    gender: z.preprocess(
      blankToNull,
      z
        .enum(GENDERS, { message: `must be one of ${GENDERS.join(', ')}` })
        .nullable()
        .optional()
        .transform((v) => v ?? null),
    ),
    pan: identifier(checkPan),
    aadhaarLast4: identifier(checkAadhaarLast4),
    bankAccount: identifier(checkBankAccount),
    ifsc: identifier(checkIfsc),
    uan: identifier(checkUan),
    esicNumber: identifier(checkEsic),
  })
  .superRefine((input, ctx) => {
    if (input.dateOfLeaving && input.dateOfLeaving < input.dateOfJoining) {
      ctx.addIssue({ code: 'custom', path: ['dateOfLeaving'], message: 'cannot be before the date of joining' });
    }
    if (input.bankAccount && !input.ifsc) ctx.addIssue({ code: 'custom', path: ['ifsc'], message: 'is required with a bank account' });
  });

export type EmployeeInput = z.infer<typeof employeeInput>;
