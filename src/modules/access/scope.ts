import type { Viewer } from './viewer.js';
import { groupHas } from './policy.js';

/** What a route declares it reads: the whole company, a team, or the caller's own record. */
export type ScopeName = 'company' | 'department' | 'self';

/**
 * Which employee rows a caller may see, as data the stores turn into WHERE clauses (always together
 * with the tenant). It comes from the route's declared scope and the viewer, never from the role alone:
 * `/me` declares `self` and gets the viewer's own record whatever their role.
 */
export type RowScope =
  | { kind: 'company' }
  | { kind: 'departments'; headUserId: string }
  | { kind: 'self'; employeeId: string | null }
  /** The route declared no scope: it reads no employee rows. */
  | { kind: 'none' };

export function rowScopeFor(viewer: Pick<Viewer, 'role' | 'userId' | 'employeeId'>, declared: ScopeName | undefined): RowScope {
  switch (declared) {
    case undefined:
      return { kind: 'none' };
    case 'self':
      return { kind: 'self', employeeId: viewer.employeeId };
    case 'company':
      return groupHas('peopleAdmins', viewer.role) ? { kind: 'company' } : { kind: 'none' };
    case 'department':
      if (groupHas('peopleAdmins', viewer.role)) return { kind: 'company' };
      if (viewer.role === 'dept_head') return { kind: 'departments', headUserId: viewer.userId };
      return { kind: 'self', employeeId: viewer.employeeId };
  }
}
