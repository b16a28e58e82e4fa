import { and, asc, desc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { salaryStructures, salaryTemplates, type SalaryStructureRow, type SalaryTemplateRow } from './schema.js';

export async function insertTemplate(db: Db, tenantId: string, template: { name: string; basicBasisPoints: number; hraBasisPoints: number }): Promise<string> {
  const id = newId();
  await db.insert(salaryTemplates).values({ id, tenantId, ...template });
  return id;
}

export async function listTemplates(db: Db, tenantId: string): Promise<SalaryTemplateRow[]> {
  return db.select().from(salaryTemplates).where(eq(salaryTemplates.tenantId, tenantId)).orderBy(asc(salaryTemplates.name));
}

export async function findTemplate(db: Db, tenantId: string, templateId: string): Promise<SalaryTemplateRow | undefined> {
  const [row] = await db
    .select()
    .from(salaryTemplates)
    .where(and(eq(salaryTemplates.tenantId, tenantId), eq(salaryTemplates.id, templateId)));
  return row;
}

export type StructureValues = Omit<typeof salaryStructures.$inferInsert, 'id' | 'tenantId' | 'employeeId' | 'effectiveFrom' | 'createdAt'>;

/** One structure per employee and month: setting the same month again replaces it (a correction before it is paid). */
export async function upsertStructure(
  db: Db,
  tenantId: string,
  employeeId: string,
  effectiveFrom: string,
  values: StructureValues,
): Promise<'created' | 'replaced'> {
  const [existing] = await db
    .select({ id: salaryStructures.id })
    .from(salaryStructures)
    .where(and(eq(salaryStructures.tenantId, tenantId), eq(salaryStructures.employeeId, employeeId), eq(salaryStructures.effectiveFrom, effectiveFrom)))
    .for('update');
  if (existing) {
    await db.update(salaryStructures).set(values).where(eq(salaryStructures.id, existing.id));
    return 'replaced';
  }
  await db.insert(salaryStructures).values({ id: newId(), tenantId, employeeId, effectiveFrom, ...values });
  return 'created';
}

/** An employee's structures, newest first. */
export async function structureHistory(db: Db, tenantId: string, employeeId: string): Promise<SalaryStructureRow[]> {
  return db
    .select()
    .from(salaryStructures)
    .where(and(eq(salaryStructures.tenantId, tenantId), eq(salaryStructures.employeeId, employeeId)))
    .orderBy(desc(salaryStructures.effectiveFrom));
}

/**
 * The structure in force on `day` for each of these employees (the latest starting on or before it).
 * One query for the lot: a pay run reads thousands. Employees with none are absent from the map.
 */
export async function structuresInForce(db: Db, tenantId: string, employeeIds: readonly string[], day: string): Promise<Map<string, SalaryStructureRow>> {
  const inForce = new Map<string, SalaryStructureRow>();
  if (employeeIds.length === 0) return inForce;
  const rows = await db
    .select()
    .from(salaryStructures)
    .where(and(eq(salaryStructures.tenantId, tenantId), inArray(salaryStructures.employeeId, [...employeeIds]), lte(salaryStructures.effectiveFrom, day)))
    .orderBy(asc(salaryStructures.effectiveFrom));
  for (const row of rows) inForce.set(row.employeeId, row); // ascending: the last one seen is the latest
  return inForce;
}
