export { ROLES, ROLE_LABELS, ROLE_DUTIES, isRole, type Role } from './roles.js';
export type { Viewer } from './viewer.js';
export {
  registerRouteRules,
  viewerOf,
  callerOf,
  badSignature,
  PUBLIC,
  KIOSK,
  KIOSK_SIGNATURE_HEADER,
  type RouteRule,
  type Caller,
  type KioskAuthenticator,
} from './rules.js';
export { navigationFor, type NavItem } from './navigation.js';
export { rowScopeFor, type RowScope, type ScopeName } from './scope.js';
export { can, groupHas, ROLE_GROUPS, type Action, type RoleGroup, type DepartmentRecord } from './policy.js';
