import { date, index, int, mysqlTable, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { createdAt, idColumn } from '../../platform/db/columns.js';
import { companies } from '../tenancy/index.js';
import { employees } from '../people/index.js';

/** A company's CTC-based salary templates (rules/structure.ts says how one becomes a month's earnings). */
export const salaryTemplates = mysqlTable(
  'salary_templates',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    name: varchar('name', { length: 80 }).notNull(),
    basicBasisPoints: int('basic_basis_points').notNull(),
    hraBasisPoints: int('hra_basis_points').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('salary_templates_name_uq').on(t.tenantId, t.name)],
);

export const PF_MODES = ['restricted', 'actual'] as const;
export type PfMode = (typeof PF_MODES)[number];

/**
 * An employee's salary from a month on: the row with the latest `effectiveFrom` not after a month is that
 * month's structure, so a raise from October leaves April to September as they were paid.
 * Whole rupees a month, except the annual CTC.
 */
export const salaryStructures = mysqlTable(
  'salary_structures',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    /** Always the first day of a month. */
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    templateId: idColumn('template_id')
      .notNull()
      .references(() => salaryTemplates.id),
    annualCtc: int('annual_ctc').notNull(),
    basicOverride: int('basic_override'),
    hraOverride: int('hra_override'),
    da: int('da').notNull().default(0),
    /** JSON of named monthly allowances. Text, not JSON: MariaDB hands JSON back as a string, MySQL as an object. */
    allowances: text('allowances').notNull(),
    /** specs/payroll-india.md §2: restricted (PF wages capped at the ceiling, default) or actual (joint request). */
    pfMode: varchar('pf_mode', { length: 10, enum: PF_MODES }).notNull().default('restricted'),
    setBy: idColumn('set_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('salary_structures_month_uq').on(t.tenantId, t.employeeId, t.effectiveFrom),
    index('salary_structures_template_ix').on(t.tenantId, t.templateId),
  ],
);

export type SalaryTemplateRow = typeof salaryTemplates.$inferSelect;
export type SalaryStructureRow = typeof salaryStructures.$inferSelect;
