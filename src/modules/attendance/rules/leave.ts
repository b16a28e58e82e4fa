/**
 * Leave (issue 17 item 7): leave types per company, which days an application takes, balances, and the
 * check an application must pass. A month's LOP is not known without it (specs/payroll-india.md §1:
 * "absent working days without approved paid leave").
 *
 * Definitions, each a product choice made explicit:
 * - Leave year: the calendar year or April–March (`policy.leaveYear`).
 * - Credit: `monthly` puts yearlyQuota / 12 on the first day of each month of the leave year (on the joining
 *   date for the month of joining); `year_start` puts the whole quota on the first day of the leave year, or on
 *   the joining date, pro-rated by the months left including the joining month. Credits are rounded down to the
 *   half day (leave is taken in halves): 15 a year gives 1 after one month, 2.5 after two, 15 after twelve.
 *   A leaver keeps what was credited (recovery is a full-and-final settlement question, not a balance one).
 * - Carry forward: the balance left at the end of a leave year (opening + full year's credit − approved days),
 *   capped at `carryForwardCap`, opens the next year. Pending applications carry nothing.
 * - Balance as of a date = carried in + credited by that date − approved − pending, in that leave year
 *   (approved and pending applications count whatever their dates inside the year).
 * - Days of an application: its dates minus weekly offs and holidays, halves 0.5. With `policy.sandwich`
 *   the weekly offs and holidays lying between two leave days of the same application count too (off by default).
 * - Unpaid leave has no balance and is LOP in the month summary; an application never spans two leave years.
 */
import { z } from 'zod';
import { addDays, datesBetween, isIsoDate, type IsoDate } from '../../../platform/clock/index.js';
import type { DayPortion, Employment, LeaveMark } from './days.js';
import { dayKind, type ShiftRules } from './shift.js';

const halfDays = (field: string) =>
  z
    .number()
    .min(0, `${field} cannot be negative`)
    .max(366, `${field} is at most 366`)
    .refine((n) => Number.isInteger(n * 2), `${field} must be in whole or half days`);
const isoDate = (field: string) => z.string({ error: `${field} must be a date YYYY-MM-DD` }).refine(isIsoDate, `${field} must be a real date YYYY-MM-DD`);

export const leaveKinds = ['casual', 'sick', 'earned', 'unpaid'] as const;
export type LeaveKind = (typeof leaveKinds)[number];

export const leaveTypeSchema = z
  .object({
    /** Short code, unique in the company: CL, SL, EL, LWP. */
    code: z.string().regex(/^[A-Z][A-Z0-9_]{0,19}$/, 'code must be 1–20 capital letters, digits or _'),
    name: z.string().trim().min(1, 'name is required').max(60, 'name is at most 60 characters'),
    kind: z.enum(leaveKinds, { error: `kind must be one of ${leaveKinds.join(', ')}` }),
    yearlyQuota: halfDays('yearlyQuota').default(0),
    credit: z.enum(['monthly', 'year_start'], { error: 'credit must be monthly or year_start' }).default('year_start'),
    carryForwardCap: halfDays('carryForwardCap').default(0),
  })
  .superRefine((type, ctx) => {
    if (type.kind === 'unpaid' && (type.yearlyQuota > 0 || type.carryForwardCap > 0))
      ctx.addIssue({ code: 'custom', path: ['yearlyQuota'], message: 'unpaid leave has no quota or carry forward' });
    if (type.kind !== 'unpaid' && type.yearlyQuota === 0)
      ctx.addIssue({ code: 'custom', path: ['yearlyQuota'], message: 'yearlyQuota must be more than 0 for paid leave' });
  });

export const leavePolicySchema = z
  .object({
    leaveYear: z.enum(['calendar', 'april_march'], { error: 'leaveYear must be calendar or april_march' }).default('calendar'),
    sandwich: z.boolean().default(false),
    types: z.array(leaveTypeSchema).min(1, 'types needs at least one leave type'),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.types.forEach((type, i) => {
      if (seen.has(type.code)) ctx.addIssue({ code: 'custom', path: ['types', i, 'code'], message: `code ${type.code} is used twice` });
      seen.add(type.code);
    });
  });

export type LeaveType = z.infer<typeof leaveTypeSchema>;
export type LeavePolicy = z.infer<typeof leavePolicySchema>;
export type LeavePolicyInput = z.input<typeof leavePolicySchema>;

/** What an employee asks for. One day: `fromHalf` alone picks a half. Several days: may start with the second half of `from` and end with the first half of `to`. */
export const leaveRequestSchema = z.object({
  leaveType: z.string({ error: 'leaveType is required' }).min(1, 'leaveType is required'),
  from: isoDate('from'),
  to: isoDate('to'),
  fromHalf: z.enum(['first_half', 'second_half'], { error: 'fromHalf must be first_half or second_half' }).nullish(),
  toHalf: z.enum(['first_half', 'second_half'], { error: 'toHalf must be first_half or second_half' }).nullish(),
});
export type LeaveRequest = z.infer<typeof leaveRequestSchema>;

export type LeaveStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

/** An application on file, with the days it was counted at when applied. */
export interface LeaveApplication extends LeaveRequest {
  status: LeaveStatus;
  days: number;
}

export interface LeaveDay {
  date: IsoDate;
  portion: DayPortion;
}

type OffDays = Pick<ShiftRules, 'weeklyOffs' | 'monthlyOffs' | 'holidays'>;

/** The leave year a date falls in. */
export function leaveYearOf(date: IsoDate, policy: Pick<LeavePolicy, 'leaveYear'>): { start: IsoDate; end: IsoDate } {
  const year = Number(date.slice(0, 4));
  if (policy.leaveYear === 'calendar') return { start: `${year}-01-01`, end: `${year}-12-31` };
  const startYear = date.slice(5, 7) >= '04' ? year : year - 1;
  return { start: `${startYear}-04-01`, end: `${startYear + 1}-03-31` };
}

/** The half-day slots a request covers on the calendar, off days included (for overlap). */
function calendarPortions(request: Pick<LeaveRequest, 'from' | 'to' | 'fromHalf' | 'toHalf'>): LeaveDay[] {
  if (request.from === request.to) return [{ date: request.from, portion: request.fromHalf ?? request.toHalf ?? 'full' }];
  return datesBetween(request.from, request.to).map((date) => ({
    date,
    portion:
      date === request.from && request.fromHalf === 'second_half'
        ? 'second_half'
        : date === request.to && request.toHalf === 'first_half'
          ? 'first_half'
          : 'full',
  }));
}

const portionDays = (portion: DayPortion) => (portion === 'full' ? 1 : 0.5);

/** The days an application takes: its dates without weekly offs and holidays, unless sandwiched and the policy says so. */
export function leaveDays(
  request: Pick<LeaveRequest, 'from' | 'to' | 'fromHalf' | 'toHalf'>,
  rules: OffDays,
  policy: Pick<LeavePolicy, 'sandwich'>,
): LeaveDay[] {
  const all = calendarPortions(request);
  const working = all.filter((day) => dayKind(day.date, rules).kind === 'working');
  if (!policy.sandwich || working.length === 0) return working;
  const first = working[0]!.date;
  const last = working[working.length - 1]!.date;
  return all.filter((day) => day.date >= first && day.date <= last);
}

export function countLeaveDays(days: readonly LeaveDay[]): number {
  return days.reduce((total, day) => total + portionDays(day.portion), 0);
}

/** Approved applications as the day marks the month summary reads (unpaid kinds unpaid, the rest paid). */
export function leaveMarks(applications: readonly LeaveApplication[], rules: OffDays, policy: LeavePolicy): LeaveMark[] {
  return applications
    .filter((a) => a.status === 'approved')
    .flatMap((application) => {
      const type = policy.types.find((t) => t.code === application.leaveType);
      const paid = type ? type.kind !== 'unpaid' : false;
      return leaveDays(application, rules, policy).map((day) => ({ ...day, paid, leaveType: application.leaveType }));
    });
}

const floorHalf = (days: number) => Math.floor(days * 2 + 1e-9) / 2;

/** Months of a leave year: their first and last dates. */
function monthsOf(year: { start: IsoDate }): { start: IsoDate; end: IsoDate }[] {
  const months: { start: IsoDate; end: IsoDate }[] = [];
  let start = year.start;
  for (let i = 0; i < 12; i++) {
    const next = nextMonthStart(start);
    months.push({ start, end: addDays(next, -1) });
    start = next;
  }
  return months;
}

function nextMonthStart(monthStart: IsoDate): IsoDate {
  const year = Number(monthStart.slice(0, 4));
  const month = Number(monthStart.slice(5, 7));
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/** Days credited in a leave year by `asOf` (inclusive). */
export function credited(type: LeaveType, year: { start: IsoDate; end: IsoDate }, employment: Employment, asOf: IsoDate): number {
  if (type.kind === 'unpaid') return 0;
  const lastDay = employment.leftOn && employment.leftOn < year.end ? employment.leftOn : year.end;
  const employedMonths = monthsOf(year).filter((m) => m.end >= employment.joinedOn && m.start <= lastDay);
  if (type.credit === 'year_start') {
    const creditDate = employment.joinedOn > year.start ? employment.joinedOn : year.start;
    if (creditDate > asOf || creditDate > lastDay) return 0;
    const monthsLeft = monthsOf(year).filter((m) => m.end >= employment.joinedOn).length;
    return floorHalf((type.yearlyQuota * monthsLeft) / 12);
  }
  const creditedMonths = employedMonths.filter((m) => (employment.joinedOn > m.start ? employment.joinedOn : m.start) <= asOf).length;
  return floorHalf((type.yearlyQuota * creditedMonths) / 12);
}

export interface LeaveBalance {
  leaveType: string;
  year: { start: IsoDate; end: IsoDate };
  /** Carried in from the previous leave year, after the cap. */
  carriedIn: number;
  credited: number;
  taken: number;
  pending: number;
  /** carriedIn + credited − taken − pending; null for unpaid leave (no balance). */
  available: number | null;
}

/**
 * An employee's balance of one leave type as of a date, walking leave years from the one they joined in
 * to carry forward each year's closing balance under the cap.
 */
export function leaveBalance(input: {
  policy: LeavePolicy;
  leaveType: string;
  employment: Employment;
  applications: readonly LeaveApplication[];
  asOf: IsoDate;
}): LeaveBalance {
  const { policy, employment, asOf } = input;
  const type = policy.types.find((t) => t.code === input.leaveType);
  if (!type) throw new RangeError(`unknown leave type ${input.leaveType}`);
  const ofType = input.applications.filter((a) => a.leaveType === type.code);
  const daysIn = (year: { start: IsoDate; end: IsoDate }, status: LeaveStatus) =>
    ofType.filter((a) => a.status === status && a.from >= year.start && a.from <= year.end).reduce((total, a) => total + a.days, 0);

  const target = leaveYearOf(asOf, policy);
  let year = leaveYearOf(employment.joinedOn, policy);
  let carriedIn = 0;
  while (year.start < target.start) {
    const closing = carriedIn + credited(type, year, employment, year.end) - daysIn(year, 'approved');
    carriedIn = Math.min(type.carryForwardCap, Math.max(0, closing));
    year = leaveYearOf(addDays(year.end, 1), policy);
  }
  if (employment.joinedOn > target.end) carriedIn = 0;
  const credit = credited(type, target, employment, asOf);
  const taken = daysIn(target, 'approved');
  const pending = daysIn(target, 'pending');
  return {
    leaveType: type.code,
    year: target,
    carriedIn,
    credited: credit,
    taken,
    pending,
    available: type.kind === 'unpaid' ? null : carriedIn + credit - taken - pending,
  };
}

export type LeaveCheck = { ok: true; leaveType: LeaveType; days: LeaveDay[]; count: number } | { ok: false; field: string; message: string };

const refuse = (field: string, message: string): LeaveCheck => ({ ok: false, field, message });
const plural = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

/**
 * Whether an employee may apply for this leave, and the days it takes. Refusals name the field:
 * dates, halves, one leave year, employment, nothing but off days, overlap with a pending or approved
 * application (half days on the same date overlap only when they are the same half), and the balance
 * credited by the leave's first day (not for unpaid leave).
 */
export function checkLeaveRequest(input: {
  policy: LeavePolicy;
  rules: OffDays;
  employment: Employment;
  request: unknown;
  /** The employee's applications of every type. */
  existing: readonly LeaveApplication[];
}): LeaveCheck {
  const parsed = leaveRequestSchema.safeParse(input.request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse(issue.path.map(String).join('.') || '(input)', issue.message);
  }
  const request = parsed.data;
  const { policy, rules, employment } = input;
  const type = policy.types.find((t) => t.code === request.leaveType);
  if (!type) return refuse('leaveType', `leaveType ${request.leaveType} is not one of this company's leave types`);
  if (request.to < request.from) return refuse('to', 'to cannot be before from');
  if (request.from === request.to) {
    if (request.fromHalf && request.toHalf && request.fromHalf !== request.toHalf)
      return refuse('toHalf', 'a one-day leave takes one half or the whole day, not two different halves');
  } else {
    if (request.fromHalf === 'first_half') return refuse('fromHalf', 'a leave over several days can start only with the second half of its first day');
    if (request.toHalf === 'second_half') return refuse('toHalf', 'a leave over several days can end only with the first half of its last day');
  }
  const year = leaveYearOf(request.from, policy);
  if (request.to > year.end)
    return refuse('to', `a leave cannot run past the end of the leave year (${year.end}): apply for the days from ${addDays(year.end, 1)} separately`);
  if (request.from < employment.joinedOn) return refuse('from', `from is before your joining date ${employment.joinedOn}`);
  if (employment.leftOn && request.to > employment.leftOn) return refuse('to', `to is after your last day of employment ${employment.leftOn}`);

  const days = leaveDays(request, rules, policy);
  if (days.length === 0) return refuse('from', `${request.from} to ${request.to} are all weekly offs or holidays: there is no working day to take leave for`);
  const count = countLeaveDays(days);

  const wanted = calendarPortions(request);
  for (const other of input.existing) {
    if (other.status !== 'pending' && other.status !== 'approved') continue;
    if (other.to < request.from || other.from > request.to) continue;
    const taken = calendarPortions(other);
    const clash = wanted.find((day) => taken.some((t) => t.date === day.date && (t.portion === 'full' || day.portion === 'full' || t.portion === day.portion)));
    if (clash) {
      const range = other.from === other.to ? other.from : `${other.from} to ${other.to}`;
      return refuse('from', `overlaps your ${other.status} ${other.leaveType} leave of ${range} (on ${clash.date})`);
    }
  }

  if (type.kind !== 'unpaid') {
    const balance = leaveBalance({ policy, leaveType: type.code, employment, applications: input.existing, asOf: request.from });
    const available = balance.available ?? 0;
    if (count > available)
      return refuse(
        'leaveType',
        `${type.name}: ${plural(available)} available on ${request.from} (carried in ${balance.carriedIn}, credited ${balance.credited}, taken ${balance.taken}, pending ${balance.pending}); this leave needs ${plural(count)}`,
      );
  }
  return { ok: true, leaveType: type, days, count };
}
