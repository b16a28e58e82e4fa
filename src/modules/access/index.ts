export { ROLES, ROLE_LABELS, ROLE_DUTIES, ADMIN_ROLES, isRole, type Role } from './roles.js';
export type { Viewer } from './viewer.js';
export { registerRouteRules, viewerOf, PUBLIC, type RouteRule } from './rules.js';
export { navigationFor, type NavItem } from './navigation.js';
export { rowScopeFor, type RowScope } from './scope.js';
