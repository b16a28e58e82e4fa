import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isIsoDate } from '../../platform/clock/index.js';
import { parseInput } from '../../platform/http/validate.js';
import { barChartSvg } from '../../platform/views/bar-chart.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import type { AttendanceReports } from './reports.js';
import { CELL_CODES, type DailyRate } from './rules/team.js';

/**
 * Team pages: HR and owners see the company, a department head the departments they head (the same
 * routes, scoped by the access module). Finance gets none of them: its pages are payroll cost and
 * statutory totals, not who came to work (security.md, "finance sees totals, not people").
 */
const TEAM = { access: { allow: ROLE_GROUPS.peopleViewers, scope: 'department' } } as const;
const HR = { access: { allow: ROLE_GROUPS.peopleAdmins, scope: 'company' } } as const;

const blankIsNone = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const departmentParam = z.preprocess(blankIsNone, z.string().uuid('is not a department').optional());
// Months before 2000 or after 2099 are typing mistakes, not attendance.
const monthParam = z.preprocess(
  blankIsNone,
  z
    .string()
    .regex(/^(20\d\d)-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM between 2000-01 and 2099-12')
    .optional(),
);
const boardQuery = z.object({ department: departmentParam });
const monthQuery = z.object({ month: monthParam, department: departmentParam });
const punchQuery = z.object({
  date: z.preprocess(blankIsNone, z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD').optional()),
  employeeCode: z.preprocess(blankIsNone, z.string().trim().max(20, 'must be at most 20 characters').optional()),
});

const METHOD_LABELS: Record<string, string> = { face: 'Face', pin: 'PIN', hr: 'HR', regularised: 'Regularised' };
const percent = (rate: number) => `${Math.round(rate * 100)}%`;
const monthNames = new Intl.DateTimeFormat('en-IN', { month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "December 2026" for 2026-12. */
const monthLabel = (month: string) => monthNames.format(new Date(`${month}-01T00:00:00Z`));

/** The daily rate as a chart; the page prints the same numbers as a table beside it (its text alternative). */
function rateChart(rates: readonly DailyRate[], monthName: string): string {
  return barChartSvg({
    id: 'daily-rate',
    title: `Daily attendance rate, ${monthName}`,
    description:
      'Share of the people expected at work each day who were present; days nobody was expected have no bar. The numbers are in the table that follows.',
    bars: rates.map((r) => ({ label: String(Number(r.date.slice(8))), value: r.rate })),
    max: 1,
    ticks: [0, 0.5, 1],
    formatTick: percent,
  });
}

export async function attendanceReportRoutes(app: FastifyInstance, options: { reports: AttendanceReports }): Promise<void> {
  const { reports } = options;

  app.get('/attendance/today', { config: TEAM }, async (request, reply) => {
    const { department } = parseInput(boardQuery, request.query);
    const board = await reports.todayBoard(callerOf(request), { departmentId: department });
    return reply.view('attendance/today.njk', { title: 'Today', ...board, methodLabels: METHOD_LABELS });
  });

  app.get('/attendance/month', { config: TEAM }, async (request, reply) => {
    const { month, department } = parseInput(monthQuery, request.query);
    const grid = await reports.monthGrid(callerOf(request), { month, departmentId: department });
    return reply.view('attendance/month.njk', {
      title: `Attendance ${grid.month}`,
      monthLabel: monthLabel(grid.month),
      ...grid,
      chart: rateChart(grid.rates, monthLabel(grid.month)),
      legend: Object.values(CELL_CODES),
      percent,
    });
  });

  app.get('/attendance/punches', { config: HR }, async (request, reply) => {
    const query = parseInput(punchQuery, request.query);
    const log = await reports.punchLog(callerOf(request), query);
    return reply.view('attendance/punches.njk', {
      title: 'Punches',
      ...log,
      date: query.date ?? '',
      employeeCode: query.employeeCode ?? '',
      methodLabels: METHOD_LABELS,
    });
  });
}
