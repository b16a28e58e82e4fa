/**
 * Queries of the finance reports: APPROVED runs only, the tenant in every WHERE. Nothing here returns a name or
 * an employee code; the per-payslip rows go straight into rules/finance.ts, which only ever gives sums.
 */
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { departments, employees } from '../people/index.js';
import { payRuns, payslips } from './schema.js';

export async function latestApprovedMonth(db: Db, tenantId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ month: payRuns.month })
    .from(payRuns)
    .where(and(eq(payRuns.tenantId, tenantId), eq(payRuns.status, 'approved')))
    .orderBy(desc(payRuns.month))
    .limit(1);
  return row?.month;
}

/**
 * Each payslip of the month's approved run with its employee's department and cost centre as they are today:
 * payslips do not record the department, so moving someone moves their past cost too.
 */
export async function approvedPayslipsOfMonth(db: Db, tenantId: string, month: string) {
  return db
    .select({
      department: departments.name,
      costCentre: departments.costCentre,
      output: payslips.output,
      gross: payslips.gross,
      net: payslips.net,
      employerCost: payslips.employerCost,
      tds: payslips.tds,
      professionalTax: payslips.professionalTax,
    })
    .from(payslips)
    .innerJoin(payRuns, and(eq(payRuns.id, payslips.runId), eq(payRuns.tenantId, tenantId)))
    .innerJoin(employees, and(eq(employees.id, payslips.employeeId), eq(employees.tenantId, tenantId)))
    .leftJoin(departments, and(eq(departments.id, employees.departmentId), eq(departments.tenantId, tenantId)))
    .where(and(eq(payslips.tenantId, tenantId), eq(payRuns.status, 'approved'), eq(payRuns.month, month)));
}

/** Totals of the last `count` approved months up to `month`, newest first. */
export async function approvedMonthTotals(db: Db, tenantId: string, month: string, count: number) {
  const rows = await db
    .select({
      month: payRuns.month,
      headcount: sql<string>`COUNT(${payslips.id})`,
      gross: sql<string>`COALESCE(SUM(${payslips.gross}), 0)`,
      employerCost: sql<string>`COALESCE(SUM(${payslips.employerCost}), 0)`,
    })
    .from(payRuns)
    .leftJoin(payslips, and(eq(payslips.runId, payRuns.id), eq(payslips.tenantId, tenantId)))
    .where(and(eq(payRuns.tenantId, tenantId), eq(payRuns.status, 'approved'), lte(payRuns.month, month)))
    .groupBy(payRuns.month)
    .orderBy(desc(payRuns.month))
    .limit(count);
  return rows.map((r) => ({ month: r.month, headcount: Number(r.headcount), gross: Number(r.gross), employerCost: Number(r.employerCost) }));
}
