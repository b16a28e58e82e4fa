/**
 * How HR and department heads see a team's attendance (issue 17 item 8): today's board groups, the month
 * grid's cell codes, and the daily attendance rate. Pure: it reads day records made by `days.ts` and
 * decides nothing about a day that `days.ts` has not decided already.
 */
import type { DayRecord, DayStatus, MonthSummary } from './days.js';

/** Where an employee stands on today's board. */
export type BoardGroup = 'in' | 'not_yet_in' | 'absent' | 'on_leave' | 'off';

/**
 * - Not employed today: not on the board.
 * - Punched (or regularised) in: in, whatever the day is: the board says who is at work, and someone who
 *   came in on a Sunday or on the other half of a half-day leave is at work.
 * - Full-day leave, or half-day leave and not in: on leave. Weekly off or holiday: off.
 * - Otherwise still expected until the shift ends ("not yet in"), absent after.
 * A day record counts a lone first punch as absent (no worked time yet); the board, read while the day
 * runs, counts it as in.
 */
export function boardGroupOf(record: DayRecord, shiftEnd: Date, now: Date): BoardGroup | null {
  if (record.status === 'not_employed') return null;
  if (record.firstIn) return 'in';
  if (record.status === 'on_leave') return 'on_leave';
  if (record.status === 'weekly_off' || record.status === 'holiday') return 'off';
  return now < shiftEnd ? 'not_yet_in' : 'absent';
}

/** The month grid's code per day status, and what each means (the page's legend). */
export const CELL_CODES: Record<DayStatus, { code: string; meaning: string }> = {
  present: { code: 'P', meaning: 'Present' },
  half_day: { code: '½', meaning: 'Half day (worked less than a full day)' },
  absent: { code: 'A', meaning: 'Absent (loss of pay unless regularised)' },
  on_leave: { code: 'L', meaning: 'On approved leave (full or half day)' },
  weekly_off: { code: 'WO', meaning: 'Weekly off' },
  holiday: { code: 'H', meaning: 'Holiday' },
  not_employed: { code: '–', meaning: 'Not employed that day (before joining or after leaving)' },
  upcoming: { code: '·', meaning: 'Not judged yet (the day has not closed)' },
};

/** One employee-day of the month grid: its code and whether the first in was late. */
export function cellOf(day: DayRecord): { code: string; status: DayStatus; late: boolean } {
  return { code: CELL_CODES[day.status].code, status: day.status, late: day.lateMinutes > 0 };
}

export interface DailyRate {
  date: string;
  /** Day units present (a half day adds 0.5). */
  present: number;
  /** Day units expected at work: present, absent and leave; weekly offs, holidays, days outside employment and days not yet judged are not. */
  expected: number;
  /** present / expected, or null when nobody was expected (a Sunday, a holiday, a day still to come). */
  rate: number | null;
}

/**
 * The share of those expected at work who were present, day by day. Leave counts as expected and not
 * present: the rate answers "how many of the people who work that day were here", which leave lowers.
 * All summaries must be of the same month (they come from one `monthSummariesOf` call).
 */
export function dailyRates(summaries: readonly MonthSummary[]): DailyRate[] {
  const first = summaries[0];
  if (!first) return [];
  return first.days.map((day, i) => {
    let present = 0;
    let expected = 0;
    for (const summary of summaries) {
      const units = summary.days[i]!.units;
      present += units.present;
      expected += units.present + units.absent + units.paidLeave + units.unpaidLeave;
    }
    return { date: day.date, present, expected, rate: expected > 0 ? present / expected : null };
  });
}
