export const ROLES = ['owner', 'hr_admin', 'dept_head', 'finance', 'employee'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  hr_admin: 'HR admin',
  dept_head: 'Department head',
  finance: 'Finance',
  employee: 'Employee',
};

/** What each role may use, in the words of the security page; the dashboard shows these. */
export const ROLE_DUTIES: Record<Role, string[]> = {
  owner: ['Everything in your company', 'Users and roles', 'Billing and plan', 'Audit log', 'Support access grants'],
  hr_admin: ['Employees, including revealing sensitive fields (audited)', 'Attendance and kiosks', 'Payroll'],
  dept_head: ['Your department’s team list', 'Team attendance', 'Approving regularisations'],
  finance: ['Payroll cost by department and cost centre', 'Statutory totals', 'Invoices and billing'],
  employee: ['Your profile', 'Your attendance', 'Your payslips', 'Your data-rights requests'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
