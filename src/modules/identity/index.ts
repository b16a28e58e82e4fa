import type { FastifyInstance } from 'fastify';
import { identityRoutes } from './routes.js';
import { userRoutes } from './users-routes.js';
import { signUpRoutes } from './sign-up-routes.js';
import type { Identity } from './service.js';

export { createIdentity, BAD_CREDENTIALS, type Identity } from './service.js';
export { sessionPlugin, actorOf } from './plugin.js';
export { users, sessions, loginFailures, ipBlocks, USER_STATUSES, type User } from './schema.js';
export { hashPassword, passwordProblems, BCRYPT_COST } from './passwords.js';
export { insertUser, findUserByEmail, listTenantUsers, normaliseEmail } from './store.js';
export { SESSION_COOKIE } from './sessions.js';
export { DEVICE_COOKIE } from './routes.js';
export { LOGIN_LIMITS, REQUEST_LIMITS, listIpBlocks, liftIpBlock, firstAlertInWindow } from './throttle.js';
export { LINK_MAIL } from './password-links.js';
export { identityHousekeeping, IDENTITY_HOUSEKEEPING, purgeIdentityRows, RETENTION } from './housekeeping.js';

export async function identityModule(app: FastifyInstance, options: { identity: Identity }): Promise<void> {
  await app.register(identityRoutes, options);
  await app.register(signUpRoutes, options);
  await app.register(userRoutes, options);
}
