import { ROLES, type Role } from './roles.js';

/**
 * Who may do what, in one place. Route rules answer "may call this route" with a role group;
 * `can` answers everything finer: which fields a role sees, which record a head may touch. Handlers
 * and services ask here and never compare a role themselves.
 */
export const ROLE_GROUPS = {
  /** Everyone signed in to a company. */
  everyone: ROLES,
  /** Run the company's people records: every employee, sensitive fields (masked, reveal audited). */
  peopleAdmins: ['owner', 'hr_admin'],
  /** See employees: the people admins for the company, heads for the departments they head. */
  peopleViewers: ['owner', 'hr_admin', 'dept_head'],
  /** Salaries and pay runs (issue 18: "Approve (owner or hr_admin)"); finance sees totals only, elsewhere. */
  payrollAdmins: ['owner', 'hr_admin'],
  /** Payroll cost reports: sums over groups of 3 or more, never a person (security.md: finance sees totals). */
  financeReaders: ['owner', 'hr_admin', 'finance'],
  /** May (and, when the company says so, must) use a second factor: the roles that hold company-wide data. */
  secondFactor: ['owner', 'hr_admin', 'finance'],
  /** Users, roles, the company's sign-in policy. */
  companyAdmins: ['owner'],
} as const satisfies Record<string, readonly Role[]>;

export type RoleGroup = keyof typeof ROLE_GROUPS;

/** A department as decisions about it need it: its id and who heads it. */
export interface DepartmentRecord {
  id: string;
  headUserIds: readonly string[];
}

/** The decisions `can` knows, and the record each one is about (none for role-wide ones). */
export interface Decisions {
  /** See PAN, Aadhaar and account masked on pages and exports. */
  'employee.seeSensitive': undefined;
  /** Reveal one sensitive value with a reason (audited). */
  'employee.reveal': undefined;
  'employee.edit': undefined;
  /** See every employee of the company rather than a team. */
  'employee.seeCompany': undefined;
  /** Open this department's team (list, days, approvals). */
  'department.open': DepartmentRecord;
  /** Be named head of a department. */
  'department.lead': undefined;
  'account.useSecondFactor': undefined;
}
export type Action = keyof Decisions;

/** Whoever asks: a signed-in viewer, or just a role (a user row in a list). */
export interface Asker {
  role: Role;
  userId?: string;
}

const inGroup = (group: RoleGroup, role: Role) => (ROLE_GROUPS[group] as readonly Role[]).includes(role);

export function can<A extends Action>(asker: Asker, action: A, ...record: Decisions[A] extends undefined ? [] : [Decisions[A]]): boolean {
  switch (action) {
    case 'employee.seeSensitive':
    case 'employee.reveal':
    case 'employee.edit':
    case 'employee.seeCompany':
      return inGroup('peopleAdmins', asker.role);
    case 'department.open': {
      if (inGroup('peopleAdmins', asker.role)) return true;
      const department = record[0] as DepartmentRecord;
      return asker.role === 'dept_head' && asker.userId !== undefined && department.headUserIds.includes(asker.userId);
    }
    case 'department.lead':
      return asker.role === 'dept_head';
    case 'account.useSecondFactor':
      return inGroup('secondFactor', asker.role);
  }
  return false;
}

export function groupHas(group: RoleGroup, role: Role): boolean {
  return inGroup(group, role);
}
