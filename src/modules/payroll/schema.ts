import { date, datetime, index, int, mysqlTable, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
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

export const PAY_RUN_STATUSES = ['draft', 'computing', 'computed', 'approved'] as const;
export type PayRunStatus = (typeof PAY_RUN_STATUSES)[number];

/**
 * A company's payroll for one month (issue 18 item 4): at most one per company-month. `computing` while a job
 * works on it (its payslips are not final until `computed`); `approved` locks it: nothing updates an approved
 * run or its payslips, corrections go to the next month as arrears. Times are the app clock's, written by the use case.
 */
export const payRuns = mysqlTable(
  'pay_runs',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    /** `YYYY-MM`. */
    month: varchar('month', { length: 7 }).notNull(),
    status: varchar('status', { length: 10, enum: PAY_RUN_STATUSES }).notNull(),
    /** The job computing it now: a job that finds another id here was superseded by a re-run and stops. */
    jobId: idColumn('job_id'),
    startedBy: idColumn('started_by').notNull(),
    approvedBy: idColumn('approved_by'),
    approvedAt: datetime('approved_at', { mode: 'date', fsp: 3 }),
    employeesTotal: int('employees_total').notNull().default(0),
    employeesDone: int('employees_done').notNull().default(0),
    /** JSON list of the employees the run skipped and why ({ employeeId, code, name, problem }). */
    problems: text('problems'),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [uniqueIndex('pay_runs_month_uq').on(t.tenantId, t.month)],
);

/**
 * One employee's month in a run: the calculator's input and breakdown as JSON text (MariaDB hands JSON back as
 * a string, MySQL as an object), and the figures that are summed (register totals, year-to-date) as integers,
 * whole rupees.
 */
export const payslips = mysqlTable(
  'payslips',
  {
    id: idColumn().primaryKey(),
    runId: idColumn('run_id')
      .notNull()
      .references(() => payRuns.id),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    /** The run's month again, so year-to-date sums need no join. */
    month: varchar('month', { length: 7 }).notNull(),
    input: text('input').notNull(),
    output: text('output').notNull(),
    gross: int('gross').notNull(),
    totalDeductions: int('total_deductions').notNull(),
    net: int('net').notNull(),
    employerCost: int('employer_cost').notNull(),
    tds: int('tds').notNull(),
    professionalTax: int('professional_tax').notNull(),
    /** Spec §3: whether ESI covered the employee this month (a period's first month decides the rest of it). */
    esiCovered: int('esi_covered').notNull(),
    /** LOP days × 2: half-days count 0.5 (spec §1), kept as whole halves. */
    lopHalfDays: int('lop_half_days').notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [uniqueIndex('payslips_run_employee_uq').on(t.runId, t.employeeId), index('payslips_employee_month_ix').on(t.tenantId, t.employeeId, t.month)],
);

export type PayRunRow = typeof payRuns.$inferSelect;
export type PayslipRow = typeof payslips.$inferSelect;
