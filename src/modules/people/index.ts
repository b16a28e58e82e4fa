export { departmentHeads, departments, employees, GENDERS, type Department, type Employee } from './schema.js';
export { addDepartmentHead, firstEmployeeOf, countEmployees, insertDepartment, insertEmployees, listDepartments, type NewEmployee } from './store.js';
