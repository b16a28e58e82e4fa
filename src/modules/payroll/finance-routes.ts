import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { barChartSvg } from '../../platform/views/bar-chart.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import type { FinanceReports, Trend } from './finance-reports.js';
import { monthField } from './month-field.js';

/**
 * Payroll costs for finance (issue 18 item 6): owners, HR admins and finance. No route scope: these pages read
 * no employee rows a scope would filter, only sums over approved payslips (rules/finance.ts).
 * PDF download is not here yet: it waits for platform/pdf (issue 18 item 5).
 */
const FINANCE = { access: { allow: ROLE_GROUPS.financeReaders } } as const;
const blankIsNone = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const costsQuery = z.object({
  month: z.preprocess(blankIsNone, monthField().optional()),
  format: z.preprocess(blankIsNone, z.enum(['html', 'csv'], { error: 'must be html or csv' }).default('html')),
});

const monthNames = new Intl.DateTimeFormat('en-IN', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthLabel = (month: string) => monthNames.format(new Date(`${month}-01T00:00:00Z`));
const lakhs = (rupees: number) => `₹${Number((rupees / 100_000).toFixed(1))} L`;

/** Employer cost per approved month as a chart; the page prints the same numbers as a table (its text alternative). */
function trendChart(trend: Trend): string | null {
  const top = Math.max(0, ...trend.map((m) => m.employerCost ?? 0));
  if (top === 0) return null;
  return barChartSvg({
    id: 'employer-cost-trend',
    title: 'Employer cost by month',
    description:
      'Employer cost of each approved pay run, the last 12 months; a month of fewer than 3 people has no bar. The numbers are in the table that follows.',
    bars: trend.map((m) => ({ label: monthLabel(m.month), value: m.employerCost })),
    max: top,
    ticks: [0, top / 2, top],
    formatTick: lakhs,
  });
}

export async function financeRoutes(app: FastifyInstance, options: { reports: FinanceReports }): Promise<void> {
  const { reports } = options;

  /** `?month=YYYY-MM` (default: the latest approved month); `&format=csv` downloads the same report, audited. */
  app.get('/payroll/costs', { config: FINANCE }, async (request, reply) => {
    const caller = callerOf(request);
    const { month, format } = parseInput(costsQuery, request.query);
    if (format === 'csv') {
      const { month: exported, csv } = await reports.exportCostReport(caller, month);
      reply.header('content-disposition', `attachment; filename="payroll-costs-${exported}.csv"`);
      return reply.type('text/csv; charset=utf-8').send(csv);
    }
    const report = await reports.costReport(caller, month);
    return reply.view('payroll/costs.njk', {
      title: report ? `Payroll costs ${report.month}` : 'Payroll costs',
      report,
      chart: report ? trendChart(report.trend) : null,
      monthLabel,
    });
  });
}
