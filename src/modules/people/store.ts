import { and, asc, count, eq, getTableColumns, inArray, like, or, sql, type SQL } from 'drizzle-orm';
import type { AnyMySqlColumn } from 'drizzle-orm/mysql-core';
import type { Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import type { RowScope } from '../access/index.js';
import { departmentHeads, departments, employees, profileCorrections, type Department, type Employee } from './schema.js';

export async function listDepartments(db: Db, tenantId: string): Promise<Department[]> {
  return db.select().from(departments).where(eq(departments.tenantId, tenantId)).orderBy(asc(departments.name));
}

export async function insertDepartment(db: Db, tenantId: string, input: { name: string; costCentre?: string | null }): Promise<string> {
  const id = newId();
  await db.insert(departments).values({ id, tenantId, name: input.name, costCentre: input.costCentre ?? null });
  return id;
}

export async function updateDepartment(
  db: Db,
  tenantId: string,
  departmentId: string,
  input: { name: string; costCentre: string | null },
  at: Date,
): Promise<number> {
  const [result] = await db
    .update(departments)
    .set({ ...input, updatedAt: at })
    .where(and(eq(departments.tenantId, tenantId), eq(departments.id, departmentId)));
  return (result as { affectedRows: number }).affectedRows;
}

export async function findDepartment(db: Db, tenantId: string, departmentId: string): Promise<Department | undefined> {
  const rows = await db
    .select()
    .from(departments)
    .where(and(eq(departments.tenantId, tenantId), eq(departments.id, departmentId)))
    .limit(1);
  return rows[0];
}

/** The departments a user heads. */
export async function listHeadedDepartments(db: Db, tenantId: string, userId: string): Promise<Department[]> {
  return db
    .select({ department: departments })
    .from(departments)
    .innerJoin(
      departmentHeads,
      and(eq(departmentHeads.departmentId, departments.id), eq(departmentHeads.tenantId, tenantId), eq(departmentHeads.userId, userId)),
    )
    .where(eq(departments.tenantId, tenantId))
    .orderBy(asc(departments.name))
    .then((rows) => rows.map((r) => r.department));
}

/** The company's department heads, or one department's when `departmentId` is given. */
export async function listDepartmentHeads(db: Db, tenantId: string, departmentId?: string): Promise<{ departmentId: string; userId: string }[]> {
  const tenant = eq(departmentHeads.tenantId, tenantId);
  return db
    .select({ departmentId: departmentHeads.departmentId, userId: departmentHeads.userId })
    .from(departmentHeads)
    .where(departmentId ? and(tenant, eq(departmentHeads.departmentId, departmentId)) : tenant);
}

export async function setDepartmentHeads(db: Db, tenantId: string, departmentId: string, userIds: string[]): Promise<void> {
  await db.delete(departmentHeads).where(and(eq(departmentHeads.tenantId, tenantId), eq(departmentHeads.departmentId, departmentId)));
  if (userIds.length > 0) await db.insert(departmentHeads).values(userIds.map((userId) => ({ tenantId, departmentId, userId })));
}

export async function addDepartmentHead(db: Db, tenantId: string, departmentId: string, userId: string): Promise<void> {
  await db.insert(departmentHeads).ignore().values({ tenantId, departmentId, userId });
}

/**
 * The row scope as a WHERE clause on `employees`, always with the tenant: the company, the departments
 * a head heads, one's own row, or nothing. Attendance and payroll join through this (see index.ts).
 */
export function scopeWhere(tenantId: string, scope: RowScope): SQL {
  const tenant = eq(employees.tenantId, tenantId);
  switch (scope.kind) {
    case 'company':
      return tenant;
    case 'departments':
      return and(tenant, sql`${employees.departmentId} IN ${headedDepartments(tenantId, scope.headUserId)}`)!;
    case 'self':
      return scope.employeeId ? and(tenant, eq(employees.id, scope.employeeId))! : sql`FALSE`;
    case 'none':
      return sql`FALSE`;
  }
}

/** The employees a scope lets a caller see, lightly: who they are, where they work, when they joined and left. */
export async function employeesInScope(db: Db, tenantId: string, scope: RowScope) {
  return db
    .select({
      id: employees.id,
      code: employees.code,
      fullName: employees.fullName,
      departmentId: employees.departmentId,
      workState: employees.workState,
      dateOfJoining: employees.dateOfJoining,
      dateOfLeaving: employees.dateOfLeaving,
    })
    .from(employees)
    .where(scopeWhere(tenantId, scope))
    .orderBy(asc(employees.code));
}

function headedDepartments(tenantId: string, userId: string) {
  return sql`(SELECT ${departmentHeads.departmentId} FROM ${departmentHeads} WHERE ${departmentHeads.tenantId} = ${tenantId} AND ${departmentHeads.userId} = ${userId})`;
}

export interface EmployeeQuery {
  search?: string;
  departmentId?: string;
  limit: number;
  offset: number;
}

/**
 * The columns the employee list shows, with the ciphertexts of the two it masks: a page reads 50
 * rows, and each column of each row costs the app thread (mysql2's parsing, drizzle's mapping):
 * reading all 21 columns made the page cost about 0.4-0.7 ms more CPU.
 */
const summaryColumns = {
  id: employees.id,
  tenantId: employees.tenantId,
  code: employees.code,
  fullName: employees.fullName,
  departmentId: employees.departmentId,
  designation: employees.designation,
  dateOfJoining: employees.dateOfJoining,
  panCipher: employees.panCipher,
  bankAccountCipher: employees.bankAccountCipher,
};
export type EmployeeSummary = Pick<Employee, keyof typeof summaryColumns>;

/** A page of whole employee rows (the CSV export). */
export async function listEmployees(db: Db, tenantId: string, scope: RowScope, query: EmployeeQuery): Promise<{ rows: Employee[]; total: number }> {
  return pageOfEmployees<Employee>(db, tenantId, scope, query, getTableColumns(employees));
}

/** A page of the employee list: the columns it shows (summaryColumns). */
export async function listEmployeeSummaries(
  db: Db,
  tenantId: string,
  scope: RowScope,
  query: EmployeeQuery,
): Promise<{ rows: EmployeeSummary[]; total: number }> {
  return pageOfEmployees<EmployeeSummary>(db, tenantId, scope, query, summaryColumns);
}

async function pageOfEmployees<Row>(
  db: Db,
  tenantId: string,
  scope: RowScope,
  query: EmployeeQuery,
  columns: Record<string, AnyMySqlColumn>,
): Promise<{ rows: Row[]; total: number }> {
  const conditions = [scopeWhere(tenantId, scope)];
  if (query.departmentId) conditions.push(eq(employees.departmentId, query.departmentId));
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(like(employees.fullName, pattern), like(employees.code, pattern), like(employees.email, pattern))!);
  }
  const where = and(...conditions);
  // One round trip: the total comes with the page (window functions: MySQL 8, MariaDB 10.2+).
  const page = (await db
    .select({ employee: columns, total: sql<number>`COUNT(*) OVER ()` })
    .from(employees)
    .where(where)
    .orderBy(asc(employees.fullName), asc(employees.id))
    .limit(query.limit)
    .offset(query.offset)) as { employee: Row; total: number }[];
  if (page.length > 0 || query.offset === 0) return { rows: page.map((r) => r.employee), total: Number(page[0]?.total ?? 0) };
  // Past the last page: count separately so the pager can still say where the end is.
  const [total] = await db.select({ n: count() }).from(employees).where(where);
  return { rows: [], total: Number(total?.n ?? 0) };
}

export async function findEmployee(db: Db, tenantId: string, scope: RowScope, employeeId: string): Promise<Employee | undefined> {
  const rows = await db
    .select()
    .from(employees)
    .where(and(scopeWhere(tenantId, scope), eq(employees.id, employeeId)))
    .limit(1);
  return rows[0];
}

export type EmployeeRow = typeof employees.$inferInsert;

/** Rows of one company; the tenant is set here, so a caller cannot file a row under another one. */
export async function insertEmployeeRows(db: Db, tenantId: string, rows: Omit<EmployeeRow, 'tenantId'>[]): Promise<void> {
  if (rows.length > 0) await db.insert(employees).values(rows.map((row) => ({ ...row, tenantId })));
}

export async function updateEmployeeRow(db: Db, tenantId: string, employeeId: string, changes: Partial<EmployeeRow>, at: Date): Promise<void> {
  await db
    .update(employees)
    .set({ ...changes, updatedAt: at })
    .where(and(eq(employees.tenantId, tenantId), eq(employees.id, employeeId)));
}

export async function countEmployees(db: Db, tenantId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(employees).where(eq(employees.tenantId, tenantId));
  return Number(row?.n ?? 0);
}

/** Head counts by department, in one query (the departments page shows them all). */
export async function countEmployeesByDepartment(db: Db, tenantId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ departmentId: employees.departmentId, n: count() })
    .from(employees)
    .where(eq(employees.tenantId, tenantId))
    .groupBy(employees.departmentId);
  return new Map(rows.filter((r) => r.departmentId !== null).map((r) => [r.departmentId!, Number(r.n)]));
}

export async function firstEmployeeOf(db: Db, tenantId: string, departmentId: string): Promise<Employee | undefined> {
  const rows = await db
    .select()
    .from(employees)
    .where(and(eq(employees.tenantId, tenantId), eq(employees.departmentId, departmentId)))
    .orderBy(asc(employees.code))
    .limit(1);
  return rows[0];
}

export async function insertCorrection(
  db: Db,
  tenantId: string,
  input: { employeeId: string; requestedBy: string; field: string; message: string },
): Promise<void> {
  await db.insert(profileCorrections).values({ id: newId(), tenantId, ...input });
}

export async function listOpenCorrections(db: Db, tenantId: string) {
  return db
    .select({ correction: profileCorrections, employeeName: employees.fullName })
    .from(profileCorrections)
    .innerJoin(employees, eq(employees.id, profileCorrections.employeeId))
    .where(and(eq(profileCorrections.tenantId, tenantId), eq(profileCorrections.status, 'open')))
    .orderBy(asc(profileCorrections.createdAt));
}

/** The employee of the company whose PAN index is one of these (a PAN's index under each live key version), if any. */
export async function employeeWithPanIndex(db: Db, tenantId: string, panIndexes: string[]): Promise<string | undefined> {
  const [row] = await db
    .select({ id: employees.id })
    .from(employees)
    .where(and(eq(employees.tenantId, tenantId), inArray(employees.panIndex, panIndexes)))
    .limit(1);
  return row?.id;
}

/** Which of these codes and PAN blind indexes the company already uses (for the CSV import). */
export async function findTaken(db: Db, tenantId: string, codes: string[], panIndexes: string[]): Promise<{ codes: string[]; panIndexes: string[] }> {
  const [byCode, byPan] = await Promise.all([
    codes.length
      ? db
          .select({ code: employees.code })
          .from(employees)
          .where(and(eq(employees.tenantId, tenantId), inArray(employees.code, codes)))
      : [],
    panIndexes.length
      ? db
          .select({ panIndex: employees.panIndex })
          .from(employees)
          .where(and(eq(employees.tenantId, tenantId), inArray(employees.panIndex, panIndexes)))
      : [],
  ]);
  return { codes: byCode.map((r) => r.code), panIndexes: byPan.map((r) => r.panIndex!).filter(Boolean) };
}
