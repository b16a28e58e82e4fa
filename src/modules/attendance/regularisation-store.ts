import { and, asc, between, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { affectedRows } from '../../platform/db/client.js';
import type { IsoDate } from '../../platform/clock/index.js';
import type { RowScope } from '../access/index.js';
import { employees, employeesInScopeWhere } from '../people/index.js';
import type { Regularisation } from './rules/days.js';
import { regularisations, type RegularisationRow } from './schema.js';

/**
 * Approved regularisations of these employees on dates in [from, to]. Should a day have been approved twice
 * (a second request after the first was approved), the later decision stands: one record per employee-day,
 * so the month (a Map by date) and the day board (the first match) cannot disagree.
 */
export async function approvedRegularisations(
  db: Db,
  tenantId: string,
  employeeIds: readonly string[],
  from: IsoDate,
  to: IsoDate,
): Promise<Map<string, Regularisation[]>> {
  const byEmployee = new Map<string, Regularisation[]>();
  if (employeeIds.length === 0) return byEmployee;
  const rows = await db
    .select({ employeeId: regularisations.employeeId, date: regularisations.date, firstIn: regularisations.firstIn, lastOut: regularisations.lastOut })
    .from(regularisations)
    .where(
      and(
        eq(regularisations.tenantId, tenantId),
        inArray(regularisations.employeeId, [...employeeIds]),
        eq(regularisations.status, 'approved'),
        between(regularisations.date, from, to),
      ),
    )
    .orderBy(desc(regularisations.decidedAt));
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.employeeId}/${row.date}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byEmployee.get(row.employeeId) ?? [];
    list.push({ date: row.date, firstIn: row.firstIn, lastOut: row.lastOut });
    byEmployee.set(row.employeeId, list);
  }
  return byEmployee;
}

/** Inserts a pending request; a second pending one for the same employee-day fails on `regularisations_pending_uq`. */
export async function insertRegularisation(
  tx: Db,
  tenantId: string,
  request: { id: string; employeeId: string; date: IsoDate; firstIn: Date; lastOut: Date; reason: string; requestedBy: string },
): Promise<void> {
  await tx.insert(regularisations).values({ ...request, tenantId, status: 'pending', pendingKey: 1 });
}

const withEmployee = {
  regularisation: regularisations,
  employeeCode: employees.code,
  employeeName: employees.fullName,
  departmentId: employees.departmentId,
};

/** A request whose employee is inside the caller's row scope (another department's, or company's, is not found); locked when asked. */
export async function regularisationInScope(db: Db, tenantId: string, scope: RowScope, id: string, options: { lock?: boolean } = {}) {
  const query = db
    .select(withEmployee)
    .from(regularisations)
    .innerJoin(employees, and(eq(employees.id, regularisations.employeeId), eq(employees.tenantId, regularisations.tenantId)))
    .where(and(eq(regularisations.tenantId, tenantId), eq(regularisations.id, id), employeesInScopeWhere(tenantId, scope)));
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

/** Decides a pending request; false when it was no longer pending (someone decided first). */
export async function decideRegularisation(
  tx: Db,
  tenantId: string,
  id: string,
  decision: { status: 'approved' | 'rejected'; decidedBy: string; decidedAt: Date; decisionNote: string | null },
): Promise<boolean> {
  const result = await tx
    .update(regularisations)
    .set({ ...decision, pendingKey: null })
    .where(and(eq(regularisations.tenantId, tenantId), eq(regularisations.id, id), eq(regularisations.status, 'pending')));
  return affectedRows(result) === 1;
}

/** Requests of employees in the caller's scope with this status, oldest first (a queue), at most `limit`. */
export async function regularisationsInScope(db: Db, tenantId: string, scope: RowScope, status: RegularisationRow['status'], limit: number) {
  return db
    .select(withEmployee)
    .from(regularisations)
    .innerJoin(employees, and(eq(employees.id, regularisations.employeeId), eq(employees.tenantId, regularisations.tenantId)))
    .where(and(eq(regularisations.tenantId, tenantId), eq(regularisations.status, status), employeesInScopeWhere(tenantId, scope)))
    .orderBy(status === 'pending' ? asc(regularisations.createdAt) : desc(regularisations.decidedAt))
    .limit(limit);
}

/** One employee's requests for dates in [from, to], any status, by date. */
export async function regularisationsOfEmployee(db: Db, tenantId: string, employeeId: string, from: IsoDate, to: IsoDate): Promise<RegularisationRow[]> {
  return db
    .select()
    .from(regularisations)
    .where(and(eq(regularisations.tenantId, tenantId), eq(regularisations.employeeId, employeeId), between(regularisations.date, from, to)))
    .orderBy(asc(regularisations.date), asc(regularisations.createdAt));
}
