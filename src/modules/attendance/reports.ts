/**
 * Use cases of HR's and department heads' attendance pages (issue 17 item 8): today's board, the month
 * grid of a department, and the punch log with kiosk refusals. Days and totals come from `month.ts`, the
 * same seam payroll reads, so a page can never disagree with a payslip; the caller's row scope limits
 * every list to the company (HR, owner) or the departments a head heads.
 */
import type { Clock, IsoDate, IsoMonth } from '../../platform/clock/index.js';
import { addDays, datesBetween, istDay, istDayBounds, istMonth, istMonthBounds, weekday } from '../../platform/clock/index.js';
import type { Db } from '../../platform/db/client.js';
import { NotFound } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import type { People } from '../people/index.js';
import { dayRecordsOf, monthSummariesOf, runningDayOf } from './month.js';
import type { DayRecord } from './rules/days.js';
import { boardGroupOf, cellOf, dailyRates, type BoardGroup } from './rules/team.js';
import * as store from './reports-store.js';
import { KIOSK_LIMITS } from './service.js';

export interface ReportDeps {
  db: Db;
  clock: Clock;
  /** The departments a caller may open: all of the company's for HR, the ones they head for a head. */
  people: Pick<People, 'departmentChoices' | 'openDepartment'>;
}

export interface BoardEntry {
  member: store.TeamMember;
  record: DayRecord;
  /** How the first in was made: face, pin, hr, or regularised (an approved correction replaced the times). */
  method: string | null;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
/** How far back the punch log looks when no date is chosen. */
const RECENT_DAYS = 7;

/** The month before or after `month`. */
export function shiftMonth(month: IsoMonth, by: 1 | -1): IsoMonth {
  const { firstDay, lastDay } = istMonthBounds(month);
  return (by === 1 ? addDays(lastDay, 1) : addDays(firstDay, -1)).slice(0, 7);
}

export function createAttendanceReports(deps: ReportDeps) {
  const { db, people } = deps;

  /**
   * The department choices for the filter, and the chosen one when the caller may open it. Another
   * company's department, or a team the head does not head, is not found: ids say nothing across scopes.
   */
  async function departmentFilter(caller: Caller, departmentId: string | undefined) {
    const [choices, department] = await Promise.all([
      people.departmentChoices(caller),
      departmentId
        ? people.openDepartment(caller, departmentId).catch((error: unknown) => {
            throw error instanceof NotFound ? new NotFound('department: no such department among those you can open') : error;
          })
        : null,
    ]);
    return { departments: choices, department: department ? { id: department.id, name: department.name } : null };
  }

  return {
    /** Who is in (and how, and how late), not yet in, absent, on leave or off on the attendance day running now. */
    async todayBoard(caller: Caller, query: { departmentId?: string }) {
      const now = deps.clock.now();
      const [filter, day] = await Promise.all([departmentFilter(caller, query.departmentId), runningDayOf(db, caller.tenantId, now)]);
      const team = await store.teamOf(db, caller.tenantId, caller.scope, { departmentId: query.departmentId, from: day.date, to: day.date });
      const records = await dayRecordsOf(db, caller.tenantId, team, day.date);
      const groups: Record<BoardGroup | 'late', BoardEntry[]> = { in: [], late: [], not_yet_in: [], absent: [], on_leave: [], off: [] };
      for (const member of team) {
        const record = records.get(member.id)!;
        const group = boardGroupOf(record, day.shiftEnd, now);
        if (!group) continue;
        const method = record.regularised ? 'regularised' : record.firstInMethod;
        const entry = { member, record, method };
        groups[group].push(entry);
        if (group === 'in' && record.lateMinutes > 0) groups.late.push(entry);
      }
      groups.in.sort((a, b) => a.record.firstIn!.getTime() - b.record.firstIn!.getTime());
      groups.late.sort((a, b) => b.record.lateMinutes - a.record.lateMinutes);
      const counts = Object.fromEntries(Object.entries(groups).map(([name, list]) => [name, list.length])) as Record<keyof typeof groups, number>;
      return { ...filter, date: day.date, shiftStart: day.shiftStart, shiftEnd: day.shiftEnd, now, groups, counts, people: team.length };
    },

    /** Employees × days of one month with a code per day, each employee's totals, and the daily attendance rate. */
    async monthGrid(caller: Caller, query: { month?: IsoMonth; departmentId?: string }) {
      const now = deps.clock.now();
      const month = query.month ?? istMonth(now);
      const { firstDay, lastDay } = istMonthBounds(month);
      const [filter, team] = await Promise.all([
        departmentFilter(caller, query.departmentId),
        store.teamOf(db, caller.tenantId, caller.scope, { departmentId: query.departmentId, from: firstDay, to: lastDay }),
      ]);
      const summaries = await monthSummariesOf(db, caller.tenantId, team, month, now);
      const rows = team.map((member) => {
        const summary = summaries.get(member.id)!;
        return { member, cells: summary.days.map(cellOf), totals: summary.totals };
      });
      const sum = (key: 'present' | 'paidLeave' | 'lopDays' | 'lateDays') => rows.reduce((total, row) => total + row.totals[key], 0);
      const teamTotals = { present: sum('present'), paidLeave: sum('paidLeave'), lopDays: sum('lopDays'), lateDays: sum('lateDays') };
      const days = datesBetween(firstDay, lastDay).map((date) => ({
        date,
        day: Number(date.slice(8)),
        weekday: WEEKDAYS[weekday(date)]!,
        today: date === istDay(now),
      }));
      return {
        ...filter,
        month,
        previousMonth: shiftMonth(month, -1),
        nextMonth: shiftMonth(month, 1),
        days,
        rows,
        teamTotals,
        rates: dailyRates([...summaries.values()]),
      };
    },

    /**
     * Punches newest first and the refusals each kiosk counted: of one IST day when given, else of the last
     * seven days; an employee code alone gives that employee's latest punches whenever they were.
     */
    async punchLog(caller: Caller, query: { date?: IsoDate; employeeCode?: string }, limit = 200) {
      const today = istDay(deps.clock.now());
      const from = query.date ?? addDays(today, -(RECENT_DAYS - 1));
      const to = query.date ?? today;
      const days = query.date || !query.employeeCode ? { from, to } : {};
      const windowOf = (at: Date) => Math.floor(at.getTime() / KIOSK_LIMITS.burstWindowMs);
      const [punches, refusals] = await Promise.all([
        store.punchLog(db, caller.tenantId, { ...days, employeeCode: query.employeeCode, limit }),
        store.refusalsByKiosk(db, caller.tenantId, windowOf(istDayBounds(from).start), windowOf(istDayBounds(to).end) - 1),
      ]);
      return { punches, refusals, from, to, allDays: !days.from, limit };
    },
  };
}

export type AttendanceReports = ReturnType<typeof createAttendanceReports>;
