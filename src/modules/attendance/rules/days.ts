/**
 * Punches to days (issue 17 item 6; specs/kiosk.md "Daily attendance"): which punches belong to which
 * attendance day, and that day's record — first in, last out, worked time, lateness, status — and the
 * month summary payroll reads (specs/payroll-india.md §1: LOP days).
 *
 * Which attendance day a punch belongs to:
 * - Day shift (end later than start on the clock, e.g. 09:00–18:00): the IST calendar day the punch falls
 *   on. A punch at 00:30 IST on the 5th belongs to the 5th.
 * - Night shift (end earlier than start, e.g. 22:00–06:00): the attendance day D runs from the middle of
 *   the off-time before D's shift to the middle of the off-time after it, i.e. from
 *   (start + end) / 2 on D to the same time on D + 1 (22:00–06:00: 14:00 IST on D to 14:00 IST on D + 1).
 *   A punch belongs to the shift it is nearest to: in at 21:55 on the 1st and out at 06:10 on the 2nd are
 *   both the 1st's shift; a punch at 13:59 on the 2nd still closes the 1st's shift, one at 14:00 opens the 2nd's.
 *
 * Worked time is last out − first in (the span, breaks included): direction labels on kiosk punches come
 * from the previous punch and can be wrong, the span cannot. One punch alone gives 0 worked time and is
 * flagged `missingPunch`, which is what a regularisation request fixes; an approved regularisation replaces
 * the day's first in and last out.
 */
import { istDay, istInstant, istMonthBounds, datesBetween, type IsoDate, type IsoMonth } from '../../../platform/clock/index.js';
import { dayKind, isNightShift, minutesOfDay, type ShiftRules } from './shift.js';

export type DayPortion = 'full' | 'first_half' | 'second_half';

export interface Punch {
  at: Date;
  /** How it was recorded: face at a kiosk, PIN at a kiosk, entered by HR. Shown to HR (the first in's), not judged here. */
  method: string;
}

/** An approved leave on one date (from `leaveDays` of an approved application). Pending or rejected leave is not a mark. */
export interface LeaveMark {
  date: IsoDate;
  portion: DayPortion;
  paid: boolean;
  leaveType: string;
}

/** An approved regularisation: the times the approver accepted for the day. */
export interface Regularisation {
  date: IsoDate;
  firstIn: Date;
  lastOut: Date;
}

export interface Employment {
  joinedOn: IsoDate;
  /** Last day of employment (included); none while employed. */
  leftOn?: IsoDate | null;
}

export type DayStatus = 'present' | 'half_day' | 'absent' | 'weekly_off' | 'holiday' | 'on_leave' | 'not_employed' | 'upcoming';

/** How the day counts, in day units that add up to 1. A half day without leave is 0.5 present + 0.5 absent. */
export interface DayUnits {
  present: number;
  paidLeave: number;
  unpaidLeave: number;
  absent: number;
  weeklyOff: number;
  holiday: number;
  notEmployed: number;
  /** A day after the month summary's `through` date: not judged yet. */
  upcoming: number;
}

export interface DayRecord {
  date: IsoDate;
  status: DayStatus;
  holidayName: string | null;
  firstIn: Date | null;
  /** How the first in was made (face, pin, hr): null without punches or when a regularisation set the times. */
  firstInMethod: string | null;
  lastOut: Date | null;
  /** Whole minutes from first in to last out. */
  workedMinutes: number;
  /** Minutes after the shift start of the first in, when that is after start + grace; 0 when on time. */
  lateMinutes: number;
  punchCount: number;
  /** Exactly one punch and no regularisation: the employee should ask for one. */
  missingPunch: boolean;
  regularised: boolean;
  /** The leave on the day, when any: full, or the half it covers. */
  leavePortion: DayPortion | null;
  units: DayUnits;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Minutes after 00:00 IST of an attendance day where that day's punch window starts (0 for a day shift). */
export function dayBoundaryMinutes(rules: Pick<ShiftRules, 'start' | 'end'>): number {
  return isNightShift(rules) ? (minutesOfDay(rules.start) + minutesOfDay(rules.end)) / 2 : 0;
}

/** The attendance day a punch belongs to (see the file comment). */
export function attendanceDayOf(at: Date, rules: Pick<ShiftRules, 'start' | 'end'>): IsoDate {
  return istDay(new Date(at.getTime() - dayBoundaryMinutes(rules) * MINUTE_MS));
}

/** The instants whose punches belong to attendance day `date`: [start, end). */
export function attendanceWindow(date: IsoDate, rules: Pick<ShiftRules, 'start' | 'end'>): { start: Date; end: Date } {
  const boundary = dayBoundaryMinutes(rules);
  return { start: istInstant(date, boundary), end: istInstant(date, boundary + 24 * 60) };
}

/** The punches to load for a month's summary: from the first day's window start to the last day's window end. */
export function monthPunchRange(month: IsoMonth, rules: Pick<ShiftRules, 'start' | 'end'>): { start: Date; end: Date } {
  const { firstDay, lastDay } = istMonthBounds(month);
  return { start: attendanceWindow(firstDay, rules).start, end: attendanceWindow(lastDay, rules).end };
}

const ZERO_UNITS: DayUnits = { present: 0, paidLeave: 0, unpaidLeave: 0, absent: 0, weeklyOff: 0, holiday: 0, notEmployed: 0, upcoming: 0 };

export interface DayInput {
  date: IsoDate;
  rules: ShiftRules;
  employment: Employment;
  /** The employee's punches; those outside the day's window are ignored. */
  punches: readonly Punch[];
  /** Approved leave marks; those of other dates are ignored. */
  leave?: readonly LeaveMark[];
  regularisation?: Regularisation | null;
}

/**
 * One employee's attendance day.
 * - Outside employment (before joining, after leaving): `not_employed`, whatever else.
 * - Approved leave on the day marks it (a leave mark on a weekly off or holiday exists only under the sandwich
 *   rule, where that day is charged as leave, so the mark wins there too).
 * - Weekly off / holiday: that status; punches on it are recorded (worked time) but change nothing here.
 * - Working day: worked ≥ fullDayHours → present; ≥ halfDayHours → half day (0.5 present, 0.5 absent);
 *   less → absent. With half a day of leave, the other half is present when worked ≥ halfDayHours, else absent.
 * - Late: first in after start + grace (exactly start + grace is on time); not judged with first-half leave.
 */
export function dayRecord(input: DayInput): DayRecord {
  const { date, rules, employment } = input;
  const window = attendanceWindow(date, rules);
  const punches = input.punches.filter((p) => p.at >= window.start && p.at < window.end).sort((a, b) => a.at.getTime() - b.at.getTime());
  const regularisation = input.regularisation && input.regularisation.date === date ? input.regularisation : null;
  const firstIn = regularisation ? regularisation.firstIn : (punches[0]?.at ?? null);
  const lastOut = regularisation ? regularisation.lastOut : punches.length > 1 ? punches[punches.length - 1]!.at : null;
  const workedMs = firstIn && lastOut ? Math.max(0, lastOut.getTime() - firstIn.getTime()) : 0;
  const kind = dayKind(date, rules);
  const leave = leaveOn(date, input.leave ?? []);

  const record: DayRecord = {
    date,
    status: 'absent',
    holidayName: kind.kind === 'holiday' ? kind.name : null,
    firstIn,
    firstInMethod: regularisation ? null : (punches[0]?.method ?? null),
    lastOut,
    workedMinutes: Math.floor(workedMs / MINUTE_MS),
    lateMinutes: 0,
    punchCount: punches.length,
    missingPunch: !regularisation && punches.length === 1,
    regularised: regularisation !== null,
    leavePortion: leave.portion,
    units: { ...ZERO_UNITS },
  };

  if (date < employment.joinedOn || (employment.leftOn && date > employment.leftOn)) {
    return { ...record, status: 'not_employed', leavePortion: null, units: { ...ZERO_UNITS, notEmployed: 1 } };
  }
  if (leave.portion === 'full') {
    return { ...record, status: 'on_leave', units: { ...ZERO_UNITS, paidLeave: leave.paid, unpaidLeave: leave.unpaid } };
  }
  if (kind.kind === 'weekly_off') return { ...record, status: 'weekly_off', units: { ...ZERO_UNITS, weeklyOff: 1 } };
  if (kind.kind === 'holiday') return { ...record, status: 'holiday', units: { ...ZERO_UNITS, holiday: 1 } };

  if (firstIn && leave.portion !== 'first_half') {
    const onTimeUntil = istInstant(date, minutesOfDay(rules.start) + rules.graceMinutes);
    if (firstIn > onTimeUntil) record.lateMinutes = Math.floor((firstIn.getTime() - istInstant(date, minutesOfDay(rules.start)).getTime()) / MINUTE_MS);
  }

  if (leave.portion) {
    const otherHalfWorked = workedMs >= rules.halfDayHours * HOUR_MS;
    return {
      ...record,
      status: 'on_leave',
      units: { ...ZERO_UNITS, paidLeave: leave.paid, unpaidLeave: leave.unpaid, present: otherHalfWorked ? 0.5 : 0, absent: otherHalfWorked ? 0 : 0.5 },
    };
  }
  if (workedMs >= rules.fullDayHours * HOUR_MS) return { ...record, status: 'present', units: { ...ZERO_UNITS, present: 1 } };
  if (workedMs >= rules.halfDayHours * HOUR_MS) return { ...record, status: 'half_day', units: { ...ZERO_UNITS, present: 0.5, absent: 0.5 } };
  return { ...record, status: 'absent', units: { ...ZERO_UNITS, absent: 1 } };
}

/** The leave on a date: both halves (or a full mark) make a full day; each half counts 0.5, paid or unpaid. */
function leaveOn(date: IsoDate, marks: readonly LeaveMark[]): { portion: DayPortion | null; paid: number; unpaid: number } {
  const halves = new Map<'first_half' | 'second_half', boolean>();
  for (const mark of marks) {
    if (mark.date !== date) continue;
    if (mark.portion === 'full' || mark.portion === 'first_half') halves.set('first_half', mark.paid);
    if (mark.portion === 'full' || mark.portion === 'second_half') halves.set('second_half', mark.paid);
  }
  const paid = [...halves.values()].filter((p) => p).length / 2;
  const unpaid = [...halves.values()].filter((p) => !p).length / 2;
  if (halves.size === 2) return { portion: 'full', paid, unpaid };
  if (halves.size === 0) return { portion: null, paid: 0, unpaid: 0 };
  return { portion: halves.has('first_half') ? 'first_half' : 'second_half', paid, unpaid };
}

export interface MonthTotals {
  calendarDays: number;
  /** Days of the month inside employment. */
  employedDays: number;
  /** Day units present (a half day adds 0.5). */
  present: number;
  /** Days whose status is half_day (worked between halfDayHours and fullDayHours, no leave). */
  halfDays: number;
  /** Day units absent on working days without leave (a half day adds 0.5). */
  absent: number;
  paidLeave: number;
  unpaidLeave: number;
  weeklyOffs: number;
  holidays: number;
  /** Days before joining or after leaving: neither present nor LOP. */
  notEmployed: number;
  /** Days after `through`, not judged yet (a month still running). */
  upcoming: number;
  /** Days with a late first in. */
  lateDays: number;
  /** specs/payroll-india.md §1: absent working days without approved paid leave, half-days 0.5 = absent + unpaidLeave. */
  lopDays: number;
  /** present + paidLeave + weeklyOffs + holidays = employedDays − lopDays − upcoming. */
  payableDays: number;
}

export interface MonthSummary {
  month: IsoMonth;
  days: DayRecord[];
  totals: MonthTotals;
}

export interface MonthInput {
  month: IsoMonth;
  rules: ShiftRules;
  employment: Employment;
  /** The employee's punches in `monthPunchRange(month, rules)` (more is harmless). */
  punches: readonly Punch[];
  leave?: readonly LeaveMark[];
  regularisations?: readonly Regularisation[];
  /**
   * The last day to judge, for a month still running (the last complete attendance day; for a night shift the
   * day whose window has ended). Later days in employment are `upcoming`, not absent. Omit for a closed month.
   */
  through?: IsoDate | null;
}

/**
 * An employee's IST month, day by day, and its totals for payroll. LOP follows specs/payroll-india.md §1
 * ("absent working days without approved paid leave. Half-days count 0.5."): unpaid leave, unapproved absence
 * and the missing half of a half day. Weekly offs and holidays are never LOP. Days outside employment are
 * counted apart (`notEmployed`), never as LOP: §1's pro-rating formula `(basisDays − lopDays) / basisDays` has
 * no term for them, so payroll must pro-rate a mid-month joiner or leaver by `employedDays` itself.
 */
export function monthSummary(input: MonthInput): MonthSummary {
  const { firstDay, lastDay, days: calendarDays } = istMonthBounds(input.month);
  const regularisations = new Map((input.regularisations ?? []).map((r) => [r.date, r]));
  // Each punch goes to its one attendance day up front: handing every day the whole month's punches to
  // filter made a 300-person month grid spend most of its time comparing dates (days × punches).
  const punchesByDay = new Map<IsoDate, Punch[]>();
  for (const punch of input.punches) {
    const day = attendanceDayOf(punch.at, input.rules);
    const list = punchesByDay.get(day);
    if (list) list.push(punch);
    else punchesByDay.set(day, [punch]);
  }
  const days = datesBetween(firstDay, lastDay).map((date) => {
    const record = dayRecord({
      date,
      rules: input.rules,
      employment: input.employment,
      punches: punchesByDay.get(date) ?? [],
      leave: input.leave ?? [],
      regularisation: regularisations.get(date) ?? null,
    });
    if (!input.through || date <= input.through || record.status === 'not_employed') return record;
    return { ...record, status: 'upcoming' as const, lateMinutes: 0, missingPunch: false, units: { ...ZERO_UNITS, upcoming: 1 } };
  });
  const sum = (unit: keyof DayUnits) => days.reduce((total, day) => total + day.units[unit], 0);
  const notEmployed = sum('notEmployed');
  const absent = sum('absent');
  const unpaidLeave = sum('unpaidLeave');
  const employedDays = calendarDays - notEmployed;
  const lopDays = absent + unpaidLeave;
  const upcoming = sum('upcoming');
  return {
    month: input.month,
    days,
    totals: {
      calendarDays,
      employedDays,
      present: sum('present'),
      halfDays: days.filter((d) => d.status === 'half_day').length,
      absent,
      paidLeave: sum('paidLeave'),
      unpaidLeave,
      weeklyOffs: sum('weeklyOff'),
      holidays: sum('holiday'),
      notEmployed,
      upcoming,
      lateDays: days.filter((d) => d.lateMinutes > 0).length,
      lopDays,
      payableDays: employedDays - lopDays - upcoming,
    },
  };
}

export type RegularisationCheck = { ok: true } | { ok: false; field: 'date' | 'firstIn' | 'lastOut'; message: string };

/**
 * Whether a regularisation request (the employee's corrected first in and last out for a day) can be filed:
 * both times inside that attendance day's window (so the night shift's 06:00 out belongs to the evening's
 * day), out after in, nothing in the future. Approval (department head or HR) and its audit are the service's.
 */
export function checkRegularisation(input: {
  date: IsoDate;
  firstIn: Date;
  lastOut: Date;
  rules: Pick<ShiftRules, 'start' | 'end'>;
  now: Date;
}): RegularisationCheck {
  const window = attendanceWindow(input.date, input.rules);
  if (window.start > input.now) return { ok: false, field: 'date', message: `${input.date} has not started yet` };
  if (input.firstIn < window.start || input.firstIn >= window.end)
    return { ok: false, field: 'firstIn', message: `firstIn is not within the attendance day ${input.date}` };
  if (input.lastOut < window.start || input.lastOut >= window.end)
    return { ok: false, field: 'lastOut', message: `lastOut is not within the attendance day ${input.date}` };
  if (input.lastOut <= input.firstIn) return { ok: false, field: 'lastOut', message: 'lastOut must be after firstIn' };
  if (input.lastOut > input.now) return { ok: false, field: 'lastOut', message: 'lastOut cannot be in the future' };
  return { ok: true };
}
