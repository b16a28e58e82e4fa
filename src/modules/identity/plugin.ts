import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../platform/context/index.js';
import { authenticateRequest } from '../../platform/http/context.js';
import type { Viewer } from '../access/index.js';
import { SESSION_COOKIE } from './sessions.js';
import type { Identity } from './service.js';

/** The actor a session speaks for: the user, or staff acting as the user under a ticket. */
export function actorOf(viewer: Viewer): Actor {
  return viewer.impersonation
    ? { kind: 'impersonator', staffId: viewer.impersonation.staffId, userId: viewer.userId, ticket: viewer.impersonation.ticket }
    : { kind: 'user', userId: viewer.userId };
}

/**
 * Reads the session cookie on every request, sets `request.viewer` (null when signed out) and the
 * request context's company and actor, and binds CSRF tokens to the session. Runs after the request
 * context hook and before the access rules hook.
 */
export const sessionPlugin = fp(async (app: FastifyInstance, options: { identity: Identity }) => {
  app.decorateRequest('viewer', null);
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const viewer = await options.identity.sessions.resolve(token);
    request.viewer = viewer;
    if (!viewer) return;
    request.csrfBinding = viewer.sessionId;
    authenticateRequest(request, viewer.tenantId, actorOf(viewer));
  });
});
