import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from './sessions.js';
import type { Identity } from './service.js';

/**
 * Reads the session cookie on every request and sets `request.viewer` (null when signed out), and
 * binds CSRF tokens to the session. Runs before the access rules hook.
 */
export const sessionPlugin = fp(async (app: FastifyInstance, options: { identity: Identity }) => {
  app.decorateRequest('viewer', null);
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    request.viewer = await options.identity.sessions.resolve(token);
    if (request.viewer) request.csrfBinding = request.viewer.sessionId;
  });
});
