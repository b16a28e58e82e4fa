/**
 * Queries of HR's and department heads' attendance pages (today's board, month grid, punch log). Days
 * and month totals are not read here but through `month.ts`; these are the lists around them: who is in
 * the caller's scope, the punch log and kiosk refusal counts.
 */
import { and, asc, between, desc, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import type { IsoDate } from '../../platform/clock/index.js';
import type { RowScope } from '../access/index.js';
import { departments, employees, employeesInScopeWhere } from '../people/index.js';
import { kioskRejections, kiosks, punches } from './schema.js';

export interface TeamMember {
  id: string;
  code: string;
  fullName: string;
  departmentId: string | null;
  departmentName: string | null;
  dateOfJoining: IsoDate;
  dateOfLeaving: IsoDate | null;
}

/**
 * The employees of the caller's scope (the company, the departments they head) employed at some time
 * in [from, to], of one department when given, by code. The scope is a WHERE clause, never a filter
 * after the fact: a head's query cannot return another team's rows.
 */
export async function teamOf(db: Db, tenantId: string, scope: RowScope, filter: { departmentId?: string; from: IsoDate; to: IsoDate }): Promise<TeamMember[]> {
  return db
    .select({
      id: employees.id,
      code: employees.code,
      fullName: employees.fullName,
      departmentId: employees.departmentId,
      departmentName: departments.name,
      dateOfJoining: employees.dateOfJoining,
      dateOfLeaving: employees.dateOfLeaving,
    })
    .from(employees)
    .leftJoin(departments, and(eq(departments.id, employees.departmentId), eq(departments.tenantId, employees.tenantId)))
    .where(
      and(
        employeesInScopeWhere(tenantId, scope),
        filter.departmentId ? eq(employees.departmentId, filter.departmentId) : undefined,
        lte(employees.dateOfJoining, filter.to),
        or(isNull(employees.dateOfLeaving), gte(employees.dateOfLeaving, filter.from)),
      ),
    )
    .orderBy(asc(employees.code));
}

export interface PunchLogFilter {
  /** IST days [from, to] (both given or neither). */
  from?: IsoDate;
  to?: IsoDate;
  employeeCode?: string;
  limit: number;
}

/**
 * The company's punches, newest first, of some IST days and/or one employee code: every punch with its
 * method, match distance and liveness score. Give days or a code: either one is an index range
 * (tenant + day, tenant + employee); neither sorts every punch the company ever made.
 */
export async function punchLog(db: Db, tenantId: string, filter: PunchLogFilter) {
  return db
    .select({
      at: punches.at,
      direction: punches.direction,
      method: punches.method,
      distance: punches.distance,
      livenessScore: punches.livenessScore,
      employeeCode: employees.code,
      employeeName: employees.fullName,
      kioskName: kiosks.name,
    })
    .from(punches)
    .innerJoin(employees, and(eq(employees.id, punches.employeeId), eq(employees.tenantId, punches.tenantId)))
    .leftJoin(kiosks, and(eq(kiosks.id, punches.kioskId), eq(kiosks.tenantId, punches.tenantId)))
    .where(
      and(
        eq(punches.tenantId, tenantId),
        filter.from && filter.to ? between(punches.istDay, filter.from, filter.to) : undefined,
        filter.employeeCode ? eq(employees.code, filter.employeeCode) : undefined,
      ),
    )
    .orderBy(desc(punches.at))
    .limit(filter.limit);
}

/**
 * Refusals counted per kiosk and code over the counting windows [fromWindow, toWindow] (window numbers as
 * `kiosk_rejections.window_start` counts them), most first. Counts are all a refusal leaves (kiosk.md).
 */
export async function refusalsByKiosk(db: Db, tenantId: string, fromWindow: number, toWindow: number) {
  const total = sql<string>`sum(${kioskRejections.count})`;
  const rows = await db
    .select({ kioskId: kioskRejections.kioskId, kioskName: kiosks.name, code: kioskRejections.code, count: total })
    .from(kioskRejections)
    .leftJoin(kiosks, and(eq(kiosks.id, kioskRejections.kioskId), eq(kiosks.tenantId, kioskRejections.tenantId)))
    .where(and(eq(kioskRejections.tenantId, tenantId), between(kioskRejections.windowStart, fromWindow, toWindow)))
    .groupBy(kioskRejections.kioskId, kiosks.name, kioskRejections.code)
    .orderBy(asc(kiosks.name), desc(total));
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}
