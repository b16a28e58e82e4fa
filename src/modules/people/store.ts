import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { departmentHeads, departments, employees, type Department } from './schema.js';

export async function listDepartments(db: Db, tenantId: string): Promise<Department[]> {
  return db.select().from(departments).where(eq(departments.tenantId, tenantId)).orderBy(asc(departments.name));
}

export async function insertDepartment(db: Db, tenantId: string, input: { name: string; costCentre?: string }): Promise<string> {
  const id = newId();
  await db.insert(departments).values({ id, tenantId, name: input.name, costCentre: input.costCentre ?? null });
  return id;
}

export interface NewEmployee {
  code: string;
  fullName: string;
  email?: string;
  phone?: string;
  departmentId?: string;
  designation?: string;
  dateOfJoining: string;
  workState: string;
  gender?: 'female' | 'male' | 'other';
}

export async function insertEmployees(db: Db, tenantId: string, rows: NewEmployee[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const values = rows.map((row) => ({ id: newId(), tenantId, ...row }));
  await db.insert(employees).values(values);
  return values.map((v) => v.id);
}

export async function countEmployees(db: Db, tenantId: string, departmentId?: string): Promise<number> {
  const where = departmentId ? and(eq(employees.tenantId, tenantId), eq(employees.departmentId, departmentId)) : eq(employees.tenantId, tenantId);
  const [row] = await db.select({ n: count() }).from(employees).where(where);
  return Number(row?.n ?? 0);
}

export async function addDepartmentHead(db: Db, tenantId: string, departmentId: string, userId: string): Promise<void> {
  await db.insert(departmentHeads).ignore().values({ tenantId, departmentId, userId });
}

export async function firstEmployeeOf(db: Db, tenantId: string, departmentId: string) {
  const rows = await db
    .select()
    .from(employees)
    .where(and(eq(employees.tenantId, tenantId), eq(employees.departmentId, departmentId)))
    .orderBy(asc(employees.code))
    .limit(1);
  return rows[0];
}
