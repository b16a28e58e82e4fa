/**
 * Attendance days and month summaries from the database: the one place that gathers a company's shift rules,
 * punches, approved leave and approved regularisations and hands them to the pure `rules/days.ts`.
 * Pages (today board, month grid, an employee's calendar) and payroll (LOP days) all read through here,
 * so they can never disagree about a day.
 */
import { and, between, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { addDays, istInstant, istMonthBounds, type IsoDate, type IsoMonth } from '../../platform/clock/index.js';
import { punches } from './schema.js';
import { attendanceDayOf, dayRecord, monthSummary, type DayRecord, type MonthSummary, type Punch } from './rules/days.js';
import { minutesOfDay, shiftLengthMinutes, type ShiftRules } from './rules/shift.js';
import { shiftRulesOf } from './shift-store.js';
import { approvedLeaveMarks, MAX_IN_LIST } from './leave-store.js';
import { approvedRegularisations } from './regularisation-store.js';

/** Who an employee is for attendance: when their employment starts and ends. */
export interface Staff {
  id: string;
  dateOfJoining: IsoDate;
  dateOfLeaving: IsoDate | null;
}

/** The last attendance day whose punch window has closed at `now`: days after it are still running. */
export function lastClosedDay(now: Date, rules: Pick<ShiftRules, 'start' | 'end'>): IsoDate {
  return addDays(attendanceDayOf(now, rules), -1);
}

/**
 * Punches of these employees whose IST calendar day lies in [from − 1, to + 1] (a night shift's day spans two),
 * by employee. One employee's month reads their punches, not the company's; past MAX_IN_LIST ids (a whole
 * company) the IN list costs more than skipping the others here.
 */
async function punchesByEmployee(db: Db, tenantId: string, employeeIds: readonly string[], from: IsoDate, to: IsoDate): Promise<Map<string, Punch[]>> {
  const byEmployee = new Map<string, Punch[]>();
  if (employeeIds.length === 0) return byEmployee;
  const wanted = employeeIds.length > MAX_IN_LIST ? new Set(employeeIds) : null;
  const rows = await db
    .select({ employeeId: punches.employeeId, at: punches.at, method: punches.method })
    .from(punches)
    .where(
      and(
        eq(punches.tenantId, tenantId),
        between(punches.istDay, addDays(from, -1), addDays(to, 1)),
        wanted ? undefined : inArray(punches.employeeId, [...employeeIds]),
      ),
    )
    .orderBy(punches.at);
  for (const row of rows) {
    if (wanted && !wanted.has(row.employeeId)) continue;
    const list = byEmployee.get(row.employeeId) ?? [];
    list.push({ at: row.at, method: row.method });
    byEmployee.set(row.employeeId, list);
  }
  return byEmployee;
}

/**
 * Each employee's month, day by day, with totals for payroll. A month still running is judged up to the last
 * closed attendance day (`now`); later days are `upcoming`, not absent.
 */
export async function monthSummariesOf(db: Db, tenantId: string, staff: readonly Staff[], month: IsoMonth, now: Date): Promise<Map<string, MonthSummary>> {
  const rules = await shiftRulesOf(db, tenantId);
  const { firstDay, lastDay } = istMonthBounds(month);
  const ids = staff.map((s) => s.id);
  const [punchesOf, leaveOf, regularisationsOf] = await Promise.all([
    punchesByEmployee(db, tenantId, ids, firstDay, lastDay),
    approvedLeaveMarks(db, tenantId, ids, firstDay, lastDay),
    approvedRegularisations(db, tenantId, ids, firstDay, lastDay),
  ]);
  const closed = lastClosedDay(now, rules);
  const through = closed >= lastDay ? null : closed;
  const summaries = new Map<string, MonthSummary>();
  for (const employee of staff) {
    summaries.set(
      employee.id,
      monthSummary({
        month,
        rules,
        employment: { joinedOn: employee.dateOfJoining, leftOn: employee.dateOfLeaving },
        punches: punchesOf.get(employee.id) ?? [],
        leave: leaveOf.get(employee.id) ?? [],
        regularisations: regularisationsOf.get(employee.id) ?? [],
        through,
      }),
    );
  }
  return summaries;
}

/** Each employee's record for one attendance day (today's board: a day still running is judged as it stands). */
export async function dayRecordsOf(db: Db, tenantId: string, staff: readonly Staff[], date: IsoDate): Promise<Map<string, DayRecord>> {
  const rules = await shiftRulesOf(db, tenantId);
  const ids = staff.map((s) => s.id);
  const [punchesOf, leaveOf, regularisationsOf] = await Promise.all([
    punchesByEmployee(db, tenantId, ids, date, date),
    approvedLeaveMarks(db, tenantId, ids, date, date),
    approvedRegularisations(db, tenantId, ids, date, date),
  ]);
  const records = new Map<string, DayRecord>();
  for (const employee of staff) {
    records.set(
      employee.id,
      dayRecord({
        date,
        rules,
        employment: { joinedOn: employee.dateOfJoining, leftOn: employee.dateOfLeaving },
        punches: punchesOf.get(employee.id) ?? [],
        leave: leaveOf.get(employee.id) ?? [],
        regularisation: regularisationsOf.get(employee.id)?.find((r) => r.date === date) ?? null,
      }),
    );
  }
  return records;
}

/** The attendance day running at `now`, and when its shift starts and ends: the today board tells "not yet in" from absent by it. */
export async function runningDayOf(db: Db, tenantId: string, now: Date): Promise<{ date: IsoDate; shiftStart: Date; shiftEnd: Date }> {
  const rules = await shiftRulesOf(db, tenantId);
  const date = attendanceDayOf(now, rules);
  const start = minutesOfDay(rules.start);
  return { date, shiftStart: istInstant(date, start), shiftEnd: istInstant(date, start + shiftLengthMinutes(rules)) };
}
