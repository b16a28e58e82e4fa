export { departments, employees, GENDERS, type Department, type Employee } from './schema.js';
export { countEmployees, insertDepartment, insertEmployees, listDepartments, type NewEmployee } from './store.js';
