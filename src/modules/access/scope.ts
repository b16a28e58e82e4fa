import type { Viewer } from './viewer.js';

/**
 * Which rows a viewer may see, as data the stores turn into WHERE clauses (always together with the
 * tenant): a department head sees the departments they head, an employee only themself.
 */
export type RowScope =
  | { kind: 'company' }
  | { kind: 'departments'; headUserId: string }
  | { kind: 'self'; employeeId: string | null };

export function rowScopeFor(viewer: Viewer): RowScope {
  switch (viewer.role) {
    case 'owner':
    case 'hr_admin':
      return { kind: 'company' };
    case 'dept_head':
      return { kind: 'departments', headUserId: viewer.userId };
    case 'finance':
    case 'employee':
      return { kind: 'self', employeeId: viewer.employeeId };
  }
}
