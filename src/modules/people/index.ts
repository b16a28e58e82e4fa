import type { FastifyInstance } from 'fastify';
import type { People } from './service.js';
import { peopleRoutes } from './routes.js';

export { departmentHeads, departments, employees, GENDERS, SENSITIVE_FIELDS, type Department, type Employee, type SensitiveField } from './schema.js';
export { addDepartmentHead, countEmployees, findEmployee, firstEmployeeOf, insertDepartment, insertEmployeeRows, listDepartments } from './store.js';
/** Employees in a caller's scope, for the modules that report on them (attendance, payroll): a list, or a WHERE clause on `employees` to join through. */
export { employeesInScope, scopeWhere as employeesInScopeWhere } from './store.js';
export { createPeople, PAGE_SIZE, type People } from './service.js';
export { employeeInput, type EmployeeInput } from './input.js';
/** For payroll's statutory files and finance reports: where a sealed field lives (its decryption's associated data), and CSV with formula cells neutralised. */
export { location as sensitiveFieldLocation } from './service.js';
export { toCsv } from './csv.js';
export { verhoeffCheckDigit, verhoeffValid } from './rules/identifiers.js';

export async function peopleModule(app: FastifyInstance, options: { people: People }): Promise<void> {
  await app.register(peopleRoutes, options);
}
