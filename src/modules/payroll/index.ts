/**
 * The payroll module's public face. For now the statutory calculator (issue 18 items 1–2); the pay runs,
 * payslips and their Fastify plugin join it here.
 */
export { calculateEmployeeMonth, type EmployeeMonthBreakdown } from './rules/calculate.js';
export { employeeMonthSchema, type EmployeeMonthInput } from './rules/input.js';
export { ecrLine } from './rules/pf.js';
export { NoStatutoryRule, type ExplanationStep } from './rules/rule-table.js';
