/**
 * Finance reports (issue 18 item 6): payroll cost by department and cost centre, statutory totals and the
 * month-over-month trend, from approved runs only, for owners, HR admins and finance. Sums only: the groups
 * and the 3-person rule are in rules/finance.ts. The CSV export is audited (who, which month).
 */
import type { Db } from '../../platform/db/client.js';
import { NotFound } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { toCsv } from '../people/index.js';
import type { EmployeeMonthBreakdown } from './rules/calculate.js';
import { monthCosts, trendOf, type CostFigures, type CostGroup, type MonthCosts, type PayslipCost, type StatutoryTotals } from './rules/finance.js';
import * as financeStore from './finance-store.js';

/** The month-over-month chart covers the last 12 approved months (issue 18 item 6). */
export const TREND_MONTHS = 12;

export type Trend = ReturnType<typeof trendOf>;

export interface CostReport {
  month: string;
  /** No approved run for the month: nothing else is filled in. */
  approved: boolean;
  costs: MonthCosts | null;
  trend: Trend;
}

type ApprovedPayslip = Awaited<ReturnType<typeof financeStore.approvedPayslipsOfMonth>>[number];

function costOf(row: ApprovedPayslip): PayslipCost {
  const breakdown = JSON.parse(row.output) as Pick<EmployeeMonthBreakdown, 'earnings' | 'pf' | 'esi'>;
  return {
    department: row.department,
    costCentre: row.costCentre,
    gross: row.gross,
    basicAndDa: (breakdown.earnings.basic ?? 0) + (breakdown.earnings.da ?? 0),
    net: row.net,
    employerCost: row.employerCost,
    pfEmployee: breakdown.pf.employee,
    eps: breakdown.pf.eps,
    employerEpf: breakdown.pf.employerEpf,
    edli: breakdown.pf.edli,
    admin: breakdown.pf.admin,
    esiEmployee: breakdown.esi.employee,
    esiEmployer: breakdown.esi.employer,
    professionalTax: row.professionalTax,
    tds: row.tds,
  };
}

const COST_MEASURES: [keyof CostFigures, string][] = [
  ['headcount', 'headcount'],
  ['gross', 'gross'],
  ['employerPf', 'employer_pf'],
  ['employerEsi', 'employer_esi'],
  ['edliAndAdmin', 'edli_and_admin'],
  ['gratuityAccrual', 'gratuity_accrual'],
  ['net', 'net'],
  ['employerCost', 'employer_cost'],
];
const STATUTORY_MEASURES: [keyof StatutoryTotals, string][] = [
  ['pfEmployee', 'pf_employee'],
  ['pfEmployer', 'pf_employer'],
  ['eps', 'eps'],
  ['edli', 'edli'],
  ['admin', 'pf_admin'],
  ['esiEmployee', 'esi_employee'],
  ['esiEmployer', 'esi_employer'],
  ['professionalTax', 'professional_tax'],
  ['tds', 'tds'],
];
export const CSV_HEADER = ['month', 'table', 'group', 'measure', 'rupees'];

/**
 * The report as CSV in long form (one figure a line: month, table, group, measure, amount), so each table keeps
 * its own measures and a spreadsheet's pivot puts them back side by side. Group names are department and
 * cost-centre names that HR typed: the formula guard of people/csv.ts applies.
 */
export function costReportCsv(report: CostReport): string {
  const rows: string[][] = [];
  const groupRows = (table: string, groups: readonly CostGroup[]) => {
    for (const group of groups) for (const [key, measure] of COST_MEASURES) rows.push([report.month, table, group.name, measure, String(group[key])]);
  };
  const costs = report.costs!;
  if (costs.suppressed) rows.push([report.month, 'company', 'All', 'headcount', String(costs.headcount)]);
  else {
    groupRows('department', costs.byDepartment);
    groupRows('cost_centre', costs.byCostCentre);
    for (const [key, measure] of COST_MEASURES) rows.push([report.month, 'company', 'All', measure, String(costs.total![key])]);
    for (const [key, measure] of STATUTORY_MEASURES) rows.push([report.month, 'statutory', 'All', measure, String(costs.statutory![key])]);
  }
  for (const m of report.trend) {
    rows.push([m.month, 'month_over_month', 'All', 'headcount', String(m.headcount)]);
    if (m.gross !== null) rows.push([m.month, 'month_over_month', 'All', 'gross', String(m.gross)]);
    if (m.employerCost !== null) rows.push([m.month, 'month_over_month', 'All', 'employer_cost', String(m.employerCost)]);
  }
  return toCsv(CSV_HEADER, rows);
}

export function financeReportUseCases(deps: { db: Db; audit: Audit }) {
  const { db, audit } = deps;

  /** The month's report; without a month, the latest approved one (or none at all). */
  async function costReport(caller: Caller, month: string | undefined): Promise<CostReport | null> {
    const chosen = month ?? (await financeStore.latestApprovedMonth(db, caller.tenantId));
    if (!chosen) return null;
    const [payslips, totals] = await Promise.all([
      financeStore.approvedPayslipsOfMonth(db, caller.tenantId, chosen),
      financeStore.approvedMonthTotals(db, caller.tenantId, chosen, TREND_MONTHS),
    ]);
    const approved = totals.some((t) => t.month === chosen);
    return { month: chosen, approved, costs: approved ? monthCosts(payslips.map(costOf)) : null, trend: trendOf(totals) };
  }

  return {
    costReport,

    /** The CSV of a month with an approved run (default: the latest), audited: who downloaded which month. */
    async exportCostReport(caller: Caller, month: string | undefined): Promise<{ month: string; csv: string }> {
      const report = await costReport(caller, month);
      if (!report?.approved) throw new NotFound(month ? `No approved pay run for ${month}` : 'No approved pay run yet');
      await audit.recordFor(db, caller.context, 'payroll.costs_exported', null, { month: report.month, format: 'csv' });
      return { month: report.month, csv: costReportCsv(report) };
    },
  };
}

export type FinanceReports = ReturnType<typeof financeReportUseCases>;
