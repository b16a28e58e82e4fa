/**
 * The payroll module's public face: the statutory calculator (issue 18 items 1–2), salary structures
 * (item 3) and pay runs (item 4), and the Fastify plugin serving their pages.
 */
import type { FastifyInstance } from 'fastify';
import { payrollRoutes } from './routes.js';
import { payRunRoutes } from './pay-run-routes.js';
import { statutoryFileRoutes } from './statutory-file-routes.js';
import { financeRoutes } from './finance-routes.js';
import { financeReportUseCases } from './finance-reports.js';
import { payslipRoutes } from './payslip-routes.js';
import { payslipUseCases } from './payslips.js';
import type { SalaryStructures } from './structures.js';
import type { PayRuns } from './pay-runs.js';

export { calculateEmployeeMonth, type EmployeeMonthBreakdown } from './rules/calculate.js';
export { employeeMonthSchema, type EmployeeMonthInput } from './rules/input.js';
export { ecrLine } from './rules/pf.js';
export { NoStatutoryRule, type ExplanationStep } from './rules/rule-table.js';

export { salaryStructureUseCases, type SalaryStructures } from './structures.js';
export { payRunUseCases, PAY_RUN_JOB, type PayRuns, type PayRunHooks } from './pay-runs.js';
export { salaryStructures, salaryTemplates, payRuns, payslips } from './schema.js';

export async function payrollModule(app: FastifyInstance, options: { structures: SalaryStructures; payRuns: PayRuns }): Promise<void> {
  await app.register(payrollRoutes, { structures: options.structures });
  await app.register(payRunRoutes, { payRuns: options.payRuns });
  await app.register(statutoryFileRoutes);
  await app.register(financeRoutes, { reports: financeReportUseCases({ db: app.database.db, audit: app.audit }) });
  await app.register(payslipRoutes, { payslips: payslipUseCases({ db: app.database.db, audit: app.audit, people: app.people }) });
}
