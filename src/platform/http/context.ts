import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actingAs, incomingContext, type Actor, type RequestContext } from '../context/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting, from where, on which company: see platform/context. */
    context: RequestContext;
  }
}

/**
 * Every request starts anonymous with its id, address and user agent; the plugin that authenticates
 * it (a session, a kiosk signature, a webhook signature) then calls `authenticateRequest`. Register
 * before those plugins: onRequest hooks run in order.
 */
export function registerRequestContext(app: FastifyInstance): void {
  app.decorateRequest('context', null as unknown as RequestContext);
  app.addHook('onRequest', async (request) => {
    request.context = incomingContext({ requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] });
  });
}

export function authenticateRequest(request: FastifyRequest, tenantId: string, actor: Actor): void {
  request.context = actingAs(request.context, tenantId, actor);
}
