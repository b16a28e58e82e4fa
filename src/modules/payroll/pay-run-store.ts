/**
 * Pay runs and payslips: the queries. Every function takes the tenant first and puts it in the WHERE.
 * Nothing here updates a payslip, and every write to a run or its payslips refuses an approved run: an
 * approved month never changes (issue 18 item 4).
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { employees } from '../people/index.js';
import { users } from '../identity/index.js';
import { payRuns, payslips, type PayRunRow } from './schema.js';

export async function listRuns(db: Db, tenantId: string): Promise<PayRunRow[]> {
  return db.select().from(payRuns).where(eq(payRuns.tenantId, tenantId)).orderBy(desc(payRuns.month));
}

export async function findRun(db: Db, tenantId: string, runId: string): Promise<PayRunRow | undefined> {
  const [row] = await db
    .select()
    .from(payRuns)
    .where(and(eq(payRuns.tenantId, tenantId), eq(payRuns.id, runId)));
  return row;
}

/** The run, locked until the transaction ends: start, approve and the job's steps take turns on it. */
export async function lockRun(tx: Db, tenantId: string, runId: string): Promise<PayRunRow | undefined> {
  const [row] = await tx
    .select()
    .from(payRuns)
    .where(and(eq(payRuns.tenantId, tenantId), eq(payRuns.id, runId)))
    .for('update');
  return row;
}

export async function findRunOfMonth(db: Db, tenantId: string, month: string): Promise<PayRunRow | undefined> {
  const [row] = await db
    .select()
    .from(payRuns)
    .where(and(eq(payRuns.tenantId, tenantId), eq(payRuns.month, month)));
  return row;
}

export async function lockRunOfMonth(tx: Db, tenantId: string, month: string): Promise<PayRunRow | undefined> {
  const [row] = await tx
    .select()
    .from(payRuns)
    .where(and(eq(payRuns.tenantId, tenantId), eq(payRuns.month, month)))
    .for('update');
  return row;
}

export async function insertRun(tx: Db, row: typeof payRuns.$inferInsert): Promise<void> {
  await tx.insert(payRuns).values(row);
}

/** Changes a run that is not approved; the status guard is in the WHERE, so no path can touch an approved one. */
export async function updateOpenRun(tx: Db, tenantId: string, runId: string, values: Partial<typeof payRuns.$inferInsert>): Promise<void> {
  await tx
    .update(payRuns)
    .set(values)
    .where(and(eq(payRuns.tenantId, tenantId), eq(payRuns.id, runId), ne(payRuns.status, 'approved')));
}

/** Clears a run's payslips before it is computed again; an approved run's are never deleted. */
export async function deletePayslipsOfOpenRun(tx: Db, tenantId: string, runId: string): Promise<void> {
  await tx.execute(
    sql`DELETE p FROM ${payslips} p JOIN ${payRuns} r ON r.id = p.run_id WHERE p.tenant_id = ${tenantId} AND p.run_id = ${runId} AND r.status <> 'approved'`,
  );
}

export async function insertPayslips(tx: Db, rows: (typeof payslips.$inferInsert)[]): Promise<void> {
  if (rows.length > 0) await tx.insert(payslips).values(rows);
}

/** Who a pay run computes: everyone employed on any day of the month. */
export async function employeesOfMonth(db: Db, tenantId: string, firstDay: string, lastDay: string) {
  return db
    .select({
      id: employees.id,
      code: employees.code,
      fullName: employees.fullName,
      workState: employees.workState,
      gender: employees.gender,
      dateOfJoining: employees.dateOfJoining,
      dateOfLeaving: employees.dateOfLeaving,
      // Only whether they are there: a pay run never decrypts a PAN or an account number.
      hasPan: sql<number>`${employees.panCipher} IS NOT NULL`.mapWith(Number),
      hasBankAccount: sql<number>`${employees.bankAccountCipher} IS NOT NULL`.mapWith(Number),
      ifsc: employees.ifsc,
      uan: employees.uan,
    })
    .from(employees)
    .where(
      and(eq(employees.tenantId, tenantId), lte(employees.dateOfJoining, lastDay), or(isNull(employees.dateOfLeaving), gte(employees.dateOfLeaving, firstDay))),
    )
    .orderBy(asc(employees.code));
}

export type MonthEmployee = Awaited<ReturnType<typeof employeesOfMonth>>[number];

export interface YearToDate {
  taxableGross: number;
  tdsDeducted: number;
  professionalTax: number;
  halfYearGross: number;
  /** Covered by ESI in the approved first month of this contribution period (spec §3). */
  esiCoveredAtPeriodStart: boolean;
}

/**
 * Each employee's figures from APPROVED runs of months in [fyStart, month): only approved pay is paid pay,
 * so a draft never feeds another month's tax. `halfYearStart` and `periodStart` are the first months of the
 * PT half-year and ESI contribution period (both April or October).
 */
export async function yearToDate(
  db: Db,
  tenantId: string,
  employeeIds: readonly string[],
  range: { fyStart: string; halfYearStart: string; month: string },
): Promise<Map<string, YearToDate>> {
  const ytd = new Map<string, YearToDate>();
  if (employeeIds.length === 0) return ytd;
  const rows = await db
    .select({
      employeeId: payslips.employeeId,
      taxableGross: sql<string>`SUM(${payslips.gross})`,
      tdsDeducted: sql<string>`SUM(${payslips.tds})`,
      professionalTax: sql<string>`SUM(${payslips.professionalTax})`,
      halfYearGross: sql<string>`SUM(CASE WHEN ${payslips.month} >= ${range.halfYearStart} THEN ${payslips.gross} ELSE 0 END)`,
      esiAtStart: sql<string>`MAX(CASE WHEN ${payslips.month} = ${range.halfYearStart} THEN ${payslips.esiCovered} ELSE 0 END)`,
    })
    .from(payslips)
    .innerJoin(payRuns, eq(payRuns.id, payslips.runId))
    .where(
      and(
        eq(payslips.tenantId, tenantId),
        eq(payRuns.tenantId, tenantId),
        eq(payRuns.status, 'approved'),
        inArray(payslips.employeeId, [...employeeIds]),
        gte(payslips.month, range.fyStart),
        lt(payslips.month, range.month),
      ),
    )
    .groupBy(payslips.employeeId);
  for (const row of rows)
    ytd.set(row.employeeId, {
      taxableGross: Number(row.taxableGross),
      tdsDeducted: Number(row.tdsDeducted),
      professionalTax: Number(row.professionalTax),
      halfYearGross: Number(row.halfYearGross),
      esiCoveredAtPeriodStart: Number(row.esiAtStart) === 1,
    });
  return ytd;
}

/** The payroll register: each payslip of the run with the employee's code and name, by code. */
export async function registerOf(db: Db, tenantId: string, runId: string) {
  return db
    .select({
      payslipId: payslips.id,
      employeeId: payslips.employeeId,
      code: employees.code,
      fullName: employees.fullName,
      gross: payslips.gross,
      totalDeductions: payslips.totalDeductions,
      net: payslips.net,
      employerCost: payslips.employerCost,
      lopHalfDays: payslips.lopHalfDays,
    })
    .from(payslips)
    .innerJoin(employees, eq(employees.id, payslips.employeeId))
    .where(and(eq(payslips.tenantId, tenantId), eq(payslips.runId, runId)))
    .orderBy(asc(employees.code));
}

/** Active owners and HR admins of the company other than this user: who could check what they made. */
export async function otherPayrollAdmins(db: Db, tenantId: string, userId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<string>`COUNT(*)` })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.status, 'active'), inArray(users.role, ['owner', 'hr_admin']), ne(users.id, userId)));
  return Number(row?.count ?? 0);
}
