import { boolean, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { createdAt, idColumn, updatedAt } from '../../platform/db/columns.js';

export const PLANS = ['starter', 'growth', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];
export const COMPANY_STATUSES = ['pending', 'active', 'suspended'] as const;
export type CompanyStatus = (typeof COMPANY_STATUSES)[number];

/** A customer company: the tenant every other row belongs to. */
export const companies = mysqlTable(
  'companies',
  {
    id: idColumn().primaryKey(),
    name: varchar('name', { length: 200 }).notNull(),
    /** The company's e-mail domain, lower case (acme.test). */
    domain: varchar('domain', { length: 190 }).notNull(),
    plan: varchar('plan', { length: 20, enum: PLANS }).notNull().default('starter'),
    /** `pending` from sign-up until the owner confirms their address by the emailed link. */
    status: varchar('status', { length: 20, enum: COMPANY_STATUSES }).notNull().default('active'),
    /** Owner setting: second factor mandatory for owner, HR admin and finance. */
    requireTwoFactor: boolean('require_two_factor').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('companies_domain_uq').on(t.domain)],
);

export type Company = typeof companies.$inferSelect;
