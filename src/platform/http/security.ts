import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import { publicOriginOf, registerForwardedHostRefusal } from './origin.js';
import type { TrustProxy } from './trusted-proxy.js';

/** Paths a load balancer or orchestrator probes over plain HTTP inside the VPC. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);
/** Machine clients get an error instead of a redirect: a redirected POST would silently lose its body. */
const MACHINE_PREFIXES = ['/api/', '/webhooks/'];

export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * Security headers (helmet with a strict CSP), HTTPS enforcement behind the trusted proxy, and
 * `Cache-Control: no-store` on every dynamic response (pages carry personal data; static assets
 * under /public set their own caching).
 */
export async function registerSecurity(app: FastifyInstance, options: { production: boolean; trustProxy: TrustProxy }): Promise<void> {
  registerForwardedHostRefusal(app);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // Only behind TLS: on http://localhost it would break the stylesheet in development.
        upgradeInsecureRequests: options.production ? [] : null,
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true, preload: false },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });

  app.addHook('onRequest', async (request, reply) => {
    // Only the trusted proxy's word counts: a direct client (local development, or someone who
    // reached an instance without the load balancer) cannot trigger or dodge the redirect.
    const peer = request.socket.remoteAddress ?? '';
    if (!options.trustProxy(peer, 0) || request.headers['x-forwarded-proto'] === undefined) return;
    if (request.protocol !== 'http' || HEALTH_PATHS.has(request.url.split('?')[0]!)) return;
    const path = request.url;
    if (MACHINE_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      return reply.code(403).send({ error: 'https_required', message: 'Use HTTPS for this endpoint.' });
    }
    // Our own origin, never whatever Host the request names.
    return reply.redirect(`${publicOriginOf(app).replace(/^http:/, 'https:')}${path}`, 301);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-request-id', request.id);
    return payload;
  });
}
