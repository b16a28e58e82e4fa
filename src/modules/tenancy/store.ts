import { eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { companies, type Company, type CompanyStatus, type Plan } from './schema.js';

export async function findCompanyByDomain(db: Db, domain: string): Promise<Company | undefined> {
  const rows = await db.select().from(companies).where(eq(companies.domain, domain.toLowerCase())).limit(1);
  return rows[0];
}

export async function findCompany(db: Db, tenantId: string): Promise<Company | undefined> {
  const rows = await db.select().from(companies).where(eq(companies.id, tenantId)).limit(1);
  return rows[0];
}

export async function insertCompany(db: Db, input: { name: string; domain: string; plan?: Plan; status?: CompanyStatus }): Promise<Company> {
  const id = newId();
  await db
    .insert(companies)
    .values({ id, name: input.name, domain: input.domain.toLowerCase(), plan: input.plan ?? 'starter', status: input.status ?? 'active' });
  return (await findCompany(db, id))!;
}

export async function setRequireTwoFactor(db: Db, tenantId: string, required: boolean, at: Date): Promise<void> {
  await db.update(companies).set({ requireTwoFactor: required, updatedAt: at }).where(eq(companies.id, tenantId));
}

export async function updateCompany(db: Db, tenantId: string, changes: { name?: string; status?: CompanyStatus }, at: Date): Promise<void> {
  await db
    .update(companies)
    .set({ ...changes, updatedAt: at })
    .where(eq(companies.id, tenantId));
}
