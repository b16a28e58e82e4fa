import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import csrfProtection from '@fastify/csrf-protection';
import { createHmac } from 'node:crypto';
import { Forbidden } from '../errors.js';
import { HOST_COOKIE } from './cookies.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_COOKIE = '__Host-csrf';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the CSRF token is bound to: the session id once signed in, `anonymous` before. */
    csrfBinding: string;
  }
  interface FastifyContextConfig {
    /** `false` for endpoints authenticated by a signature instead of a cookie (webhooks, kiosk API). */
    csrf?: boolean;
  }
}

/**
 * Three layers (security.md, "Sessions"): SameSite=Strict cookies, a token on every state-changing
 * request bound to the session, and a Fetch-Metadata check with an Origin fallback for browsers
 * that do not send Sec-Fetch-Site.
 */
export async function registerCsrf(app: FastifyInstance, options: { secret: string }): Promise<void> {
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { ...HOST_COOKIE, signed: true },
    getUserInfo: (request: FastifyRequest) => request.csrfBinding,
    csrfOpts: { hmacKey: createHmac('sha256', options.secret).update('csrf-hmac').digest() },
  });
  // Never empty: @fastify/csrf treats an empty binding as missing. Sessions set their id here.
  app.decorateRequest('csrfBinding', 'anonymous');

  // Callback style, because csrfProtection is: it calls `done` on a good token and answers a bad one
  // itself (reply.send(error)) without calling back, which a promise wrapper would leave pending.
  app.addHook('preHandler', (request, reply, done) => {
    // An address with no route changes nothing: it answers 404 whatever the method, not 403.
    if (SAFE_METHODS.has(request.method) || request.is404 || request.routeOptions.config?.csrf === false) return done();
    try {
      assertSameOrigin(request);
    } catch (error) {
      return done(error as Error);
    }
    app.csrfProtection(request, reply, done);
  });
}

function assertSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site') throw new Forbidden('Cross-site request refused');
  if (site === 'same-origin' || site === 'none') return;
  const origin = request.headers.origin;
  if (!origin) return; // old browser without Fetch Metadata nor Origin: the token still guards
  if (origin === 'null') throw new Forbidden('Cross-site request refused');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new Forbidden('Cross-site request refused');
  }
  if (originHost !== request.host) throw new Forbidden('Cross-site request refused');
}

export function csrfTokenFor(reply: FastifyReply): string {
  return reply.generateCsrf({ userInfo: reply.request.csrfBinding } as never);
}
