/**
 * The statutory files' one query (issue 18 item 5): each payslip of a run with what the files need of its
 * employee. Tenant first, and in the WHERE of both tables.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { departments, employees } from '../people/index.js';
import { payslips } from './schema.js';

export async function payslipsForFiles(db: Db, tenantId: string, runId: string) {
  return db
    .select({
      employeeId: payslips.employeeId,
      code: employees.code,
      fullName: employees.fullName,
      department: departments.name,
      workState: employees.workState,
      uan: employees.uan,
      esicNumber: employees.esicNumber,
      ifsc: employees.ifsc,
      // Only whether it is there: the bank file decrypts it, nothing else does.
      hasBankAccount: sql<number>`${employees.bankAccountCipher} IS NOT NULL`.mapWith(Number),
      net: payslips.net,
      output: payslips.output,
    })
    .from(payslips)
    .innerJoin(employees, and(eq(employees.id, payslips.employeeId), eq(employees.tenantId, tenantId)))
    .leftJoin(departments, and(eq(departments.id, employees.departmentId), eq(departments.tenantId, tenantId)))
    .where(and(eq(payslips.tenantId, tenantId), eq(payslips.runId, runId)))
    .orderBy(asc(employees.code));
}

export type PayslipForFiles = Awaited<ReturnType<typeof payslipsForFiles>>[number];

/** The sealed bank accounts of these employees, for the bank file only. */
export async function bankAccountCiphers(db: Db, tenantId: string, employeeIds: readonly string[]): Promise<Map<string, string>> {
  if (employeeIds.length === 0) return new Map();
  const rows = await db
    .select({ id: employees.id, cipher: employees.bankAccountCipher })
    .from(employees)
    .where(and(eq(employees.tenantId, tenantId), inArray(employees.id, [...employeeIds])));
  return new Map(rows.flatMap((row) => (row.cipher ? [[row.id, row.cipher] as const] : [])));
}

/**
 * Who the bank file leaves out (net pay but no account number or IFSC) and who the ECR leaves out (no UAN),
 * for the approved run's page, so HR can complete the records and pay or file them by hand.
 */
export async function leftOutOfFiles(db: Db, tenantId: string, runId: string): Promise<{ bank: LeftOut[]; ecr: LeftOut[] }> {
  const slips = await payslipsForFiles(db, tenantId, runId);
  const who = (s: PayslipForFiles) => ({ employeeId: s.employeeId, code: s.code, name: s.fullName });
  return {
    bank: slips.filter((s) => s.net > 0 && !(s.hasBankAccount && s.ifsc)).map(who),
    ecr: slips.filter((s) => !s.uan).map(who),
  };
}

export interface LeftOut {
  employeeId: string;
  code: string;
  name: string;
}
