import { date, index, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { createdAt, idColumn, updatedAt } from '../../platform/db/columns.js';
import { companies } from '../tenancy/schema.js';

export const departments = mysqlTable(
  'departments',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    name: varchar('name', { length: 120 }).notNull(),
    costCentre: varchar('cost_centre', { length: 40 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('departments_tenant_name_uq').on(t.tenantId, t.name)],
);

export const GENDERS = ['female', 'male', 'other'] as const;

export const employees = mysqlTable(
  'employees',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    code: varchar('code', { length: 20 }).notNull(),
    fullName: varchar('full_name', { length: 200 }).notNull(),
    email: varchar('email', { length: 254 }),
    phone: varchar('phone', { length: 20 }),
    departmentId: idColumn('department_id').references(() => departments.id),
    designation: varchar('designation', { length: 120 }),
    dateOfJoining: date('date_of_joining', { mode: 'string' }).notNull(),
    dateOfLeaving: date('date_of_leaving', { mode: 'string' }),
    /** ISO 3166-2:IN state code (KA, MH, …): professional tax depends on it. */
    workState: varchar('work_state', { length: 3 }).notNull(),
    gender: varchar('gender', { length: 10, enum: GENDERS }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('employees_tenant_code_uq').on(t.tenantId, t.code), index('employees_tenant_department_ix').on(t.tenantId, t.departmentId)],
);

export type Employee = typeof employees.$inferSelect;
export type Department = typeof departments.$inferSelect;

/** Who heads which department: a department head's pages are scoped to these. */
export const departmentHeads = mysqlTable(
  'department_heads',
  {
    departmentId: idColumn('department_id')
      .notNull()
      .references(() => departments.id),
    userId: idColumn('user_id').notNull(),
    tenantId: idColumn('tenant_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.userId] }), index('department_heads_user_ix').on(t.userId)],
);
