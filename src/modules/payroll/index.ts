/**
 * The payroll module's public face. For now the statutory calculator (issue 18 items 1–2); the pay runs,
 * payslips and their Fastify plugin join it here.
 */
import type { FastifyInstance } from 'fastify';
import { payrollRoutes } from './routes.js';
import type { SalaryStructures } from './structures.js';

export { calculateEmployeeMonth, type EmployeeMonthBreakdown } from './rules/calculate.js';
export { employeeMonthSchema, type EmployeeMonthInput } from './rules/input.js';
export { ecrLine } from './rules/pf.js';
export { NoStatutoryRule, type ExplanationStep } from './rules/rule-table.js';

export { salaryStructureUseCases, type SalaryStructures } from './structures.js';
export { salaryStructures, salaryTemplates } from './schema.js';

/** Salary templates and structures (issue 18 item 3); pay runs join here. */
export async function payrollModule(app: FastifyInstance, options: { structures: SalaryStructures }): Promise<void> {
  await app.register(payrollRoutes, options);
}
