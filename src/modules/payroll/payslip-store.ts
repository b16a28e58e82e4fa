/**
 * Payslips as documents (issue 18 item 5): the queries. Tenant first and in every WHERE; only payslips of
 * APPROVED runs are ever returned, because a draft or computing run's figures are not pay (issue 18 item 4).
 */
import { and, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { departments, employees } from '../people/index.js';
import { payRuns, payslips } from './schema.js';

/** One approved payslip with what its document shows of the employee; `employeeId` narrows it to one person's (self scope). */
export async function approvedPayslip(db: Db, tenantId: string, payslipId: string, employeeId?: string) {
  const [row] = await db
    .select({
      id: payslips.id,
      runId: payslips.runId,
      month: payslips.month,
      output: payslips.output,
      employeeId: payslips.employeeId,
      employee: {
        id: employees.id,
        tenantId: employees.tenantId,
        code: employees.code,
        fullName: employees.fullName,
        uan: employees.uan,
        ifsc: employees.ifsc,
        panCipher: employees.panCipher,
        bankAccountCipher: employees.bankAccountCipher,
      },
      department: departments.name,
    })
    .from(payslips)
    .innerJoin(payRuns, and(eq(payRuns.id, payslips.runId), eq(payRuns.tenantId, tenantId)))
    .innerJoin(employees, and(eq(employees.id, payslips.employeeId), eq(employees.tenantId, tenantId)))
    .leftJoin(departments, and(eq(departments.id, employees.departmentId), eq(departments.tenantId, tenantId)))
    .where(
      and(
        eq(payslips.tenantId, tenantId),
        eq(payslips.id, payslipId),
        eq(payRuns.status, 'approved'),
        employeeId === undefined ? undefined : eq(payslips.employeeId, employeeId),
      ),
    );
  return row;
}

export type ApprovedPayslip = NonNullable<Awaited<ReturnType<typeof approvedPayslip>>>;

/** One employee's approved payslips, newest month first (the employee's own list). */
export async function approvedPayslipsOf(db: Db, tenantId: string, employeeId: string) {
  return db
    .select({ id: payslips.id, month: payslips.month, gross: payslips.gross, net: payslips.net })
    .from(payslips)
    .innerJoin(payRuns, and(eq(payRuns.id, payslips.runId), eq(payRuns.tenantId, tenantId)))
    .where(and(eq(payslips.tenantId, tenantId), eq(payslips.employeeId, employeeId), eq(payRuns.status, 'approved')))
    .orderBy(desc(payslips.month));
}

/** Gross and TDS of approved months in [fyStart, month], this month included: the payslip's year to date. */
export async function approvedYearToDate(
  db: Db,
  tenantId: string,
  employeeId: string,
  fyStart: string,
  month: string,
): Promise<{ gross: number; tds: number }> {
  const [row] = await db
    .select({ gross: sql<string>`COALESCE(SUM(${payslips.gross}), 0)`, tds: sql<string>`COALESCE(SUM(${payslips.tds}), 0)` })
    .from(payslips)
    .innerJoin(payRuns, and(eq(payRuns.id, payslips.runId), eq(payRuns.tenantId, tenantId)))
    .where(
      and(
        eq(payslips.tenantId, tenantId),
        eq(payslips.employeeId, employeeId),
        eq(payRuns.status, 'approved'),
        gte(payslips.month, fyStart),
        lte(payslips.month, month),
      ),
    );
  return { gross: Number(row?.gross ?? 0), tds: Number(row?.tds ?? 0) };
}
