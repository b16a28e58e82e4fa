import { describe, expect, it } from 'vitest';
import { can, ROLES, rowScopeFor, type Role } from '../../src/modules/access/index.js';

const viewer = (role: Role, userId = 'u-1', employeeId: string | null = 'e-1') => ({ role, userId, employeeId });

describe('the policy', () => {
  it('lets only the people admins see sensitive fields, reveal them and edit employees', () => {
    for (const action of ['employee.seeSensitive', 'employee.reveal', 'employee.edit', 'employee.seeCompany'] as const) {
      expect(ROLES.filter((role) => can({ role }, action))).toEqual(['owner', 'hr_admin']);
    }
  });

  it('offers a second factor to the roles that hold company-wide data', () => {
    expect(ROLES.filter((role) => can({ role }, 'account.useSecondFactor'))).toEqual(['owner', 'hr_admin', 'finance']);
  });

  it('opens a department to its own head and the people admins, not to the head of another', () => {
    const engineering = { id: 'd-eng', headUserIds: ['head-eng'] };
    expect(can({ role: 'dept_head', userId: 'head-eng' }, 'department.open', engineering)).toBe(true);
    expect(can({ role: 'dept_head', userId: 'head-sales' }, 'department.open', engineering)).toBe(false);
    expect(can({ role: 'dept_head' }, 'department.open', engineering)).toBe(false);
    expect(can({ role: 'hr_admin', userId: 'hr' }, 'department.open', engineering)).toBe(true);
    expect(can({ role: 'finance', userId: 'head-eng' }, 'department.open', engineering)).toBe(false);
    expect(ROLES.filter((role) => can({ role }, 'department.lead'))).toEqual(['dept_head']);
  });
});

describe('row scope from the route', () => {
  it('gives a team route the company for people admins, the headed departments for heads, one self otherwise', () => {
    expect(rowScopeFor(viewer('owner'), 'department')).toEqual({ kind: 'company' });
    expect(rowScopeFor(viewer('hr_admin'), 'department')).toEqual({ kind: 'company' });
    expect(rowScopeFor(viewer('dept_head', 'head-1'), 'department')).toEqual({ kind: 'departments', headUserId: 'head-1' });
    expect(rowScopeFor(viewer('employee', 'u', 'e-9'), 'department')).toEqual({ kind: 'self', employeeId: 'e-9' });
  });

  it('gives a self route one’s own record whatever the role, and nothing without a profile', () => {
    for (const role of ROLES) expect(rowScopeFor(viewer(role, 'u', 'e-7'), 'self')).toEqual({ kind: 'self', employeeId: 'e-7' });
    expect(rowScopeFor(viewer('owner', 'u', null), 'self')).toEqual({ kind: 'self', employeeId: null });
  });

  it('shows no rows to a route that declares no scope, nor the company to a role that may not see it', () => {
    for (const role of ROLES) expect(rowScopeFor(viewer(role), undefined)).toEqual({ kind: 'none' });
    expect(rowScopeFor(viewer('finance'), 'company')).toEqual({ kind: 'none' });
    expect(rowScopeFor(viewer('dept_head'), 'company')).toEqual({ kind: 'none' });
  });
});
