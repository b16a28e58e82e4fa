import type { Viewer } from './viewer.js';
import type { Role } from './roles.js';
import { ROLE_GROUPS } from './policy.js';

export interface NavItem {
  href: string;
  label: string;
}

/** Navigation by role: only what the role may open. Modules add their pages here as they land. */
const ITEMS: { href: string; label: string; roles: readonly Role[] | 'all' }[] = [
  { href: '/', label: 'Dashboard', roles: 'all' },
  { href: '/employees', label: 'Employees', roles: ROLE_GROUPS.peopleAdmins },
  { href: '/employees', label: 'My team', roles: ['dept_head'] },
  { href: '/attendance/today', label: 'Today', roles: ROLE_GROUPS.peopleViewers },
  { href: '/attendance/month', label: 'Attendance', roles: ROLE_GROUPS.peopleViewers },
  { href: '/attendance/kiosks', label: 'Kiosks', roles: ROLE_GROUPS.peopleAdmins },
  { href: '/attendance/punches', label: 'Punches', roles: ROLE_GROUPS.peopleAdmins },
  { href: '/attendance/shift', label: 'Shift', roles: ROLE_GROUPS.peopleAdmins },
  { href: '/attendance/regularisations', label: 'Regularisations', roles: ROLE_GROUPS.peopleViewers },
  { href: '/payroll/salaries', label: 'Salaries', roles: ROLE_GROUPS.payrollAdmins },
  { href: '/payroll/runs', label: 'Pay runs', roles: ROLE_GROUPS.payrollAdmins },
  { href: '/payroll/costs', label: 'Payroll costs', roles: ROLE_GROUPS.financeReaders },
  { href: '/me', label: 'My profile', roles: ['hr_admin', 'dept_head', 'employee'] },
  { href: '/attendance/me', label: 'My attendance', roles: ['hr_admin', 'dept_head', 'employee'] },
  { href: '/payslips', label: 'My payslips', roles: ['hr_admin', 'dept_head', 'employee'] },
  // Everyone's own leave; the page links approvers to their queue and HR to the policy.
  { href: '/leave', label: 'Leave', roles: 'all' },
  { href: '/attendance/pin', label: 'Kiosk PIN', roles: ['hr_admin', 'dept_head', 'employee'] },
  { href: '/users', label: 'Users', roles: ROLE_GROUPS.companyAdmins },
  { href: '/account', label: 'My account', roles: 'all' },
];

export function navigationFor(viewer: Viewer | null): NavItem[] {
  if (!viewer)
    return [
      { href: '/', label: 'Home' },
      { href: '/login', label: 'Sign in' },
    ];
  if (viewer.needsTwoFactorSetup) return [{ href: '/account/two-factor', label: 'Set up second factor' }];
  return ITEMS.filter((item) => item.roles === 'all' || item.roles.includes(viewer.role)).map(({ href, label }) => ({ href, label }));
}
