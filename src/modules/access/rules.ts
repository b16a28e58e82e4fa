import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { RequestContext } from '../../platform/context/index.js';
import { Forbidden, Refused, Unauthorized } from '../../platform/errors.js';
import { wantsJson } from '../../platform/http/error-handler.js';
import type { Role } from './roles.js';
import { rowScopeFor, type RowScope, type ScopeName } from './scope.js';
import type { Viewer } from './viewer.js';

/**
 * Every route declares who may call it in `config.access`; one onRequest hook enforces it, so
 * handlers never re-implement role checks.
 * - `{ public: true }`: anyone, signed in or not.
 * - `{ signedIn: true }`: any signed-in user of a company (their own account pages).
 * - `{ allow: ROLE_GROUPS.x }`: those roles.
 * - `{ kiosk: true }`: a paired, unrevoked kiosk proving itself with `X-Kiosk-Signature` over the raw
 *   body; no user session counts (the kiosk is the request context's actor). The signature needs the
 *   parsed body, so the onRequest hook only refuses a request without one, and a preHandler hook runs the
 *   kiosk authenticator the composition root passes in (attendance owns kiosks). Nothing else accepts a
 *   kiosk signature.
 * `scope` says which employee rows the handler's stores will show (see scope.ts); a route that
 * declares none reads none.
 */
export type RouteRule =
  | { public: true }
  | { signedIn: true; scope?: ScopeName; duringTwoFactorSetup?: boolean }
  | { allow: readonly Role[]; scope?: ScopeName; duringTwoFactorSetup?: boolean }
  | { kiosk: true };

/** The header a kiosk signs its requests with (base64url ECDSA P-256 SHA-256, IEEE P1363). */
export const KIOSK_SIGNATURE_HEADER = 'x-kiosk-signature';

/**
 * Verifies a kiosk request (after its body is parsed) and makes the kiosk the request context's actor,
 * or throws. Provided by the module that owns kiosks.
 */
export type KioskAuthenticator = (request: FastifyRequest) => Promise<void>;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteRule;
  }
  interface FastifyInstance {
    /** Every route with its declared rule, for the authorization matrix test. */
    routeRules: { method: string; url: string; readonly rule: RouteRule | undefined }[];
  }
}

export const PUBLIC: RouteRule = { public: true };
export const KIOSK: RouteRule = { kiosk: true };

export const badSignature = () => new Refused(401, 'bad_signature', 'The kiosk signature does not verify');

export function registerRouteRules(app: FastifyInstance, options: { authenticateKiosk?: KioskAuthenticator } = {}): void {
  app.decorate('routeRules', []);
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue; // mirrors its GET route, same rule
      // Read lazily: an encapsulated plugin's own onRoute hook may set the rule after this one runs.
      app.routeRules.push({
        method,
        url: route.url,
        get rule() {
          return (route.config as { access?: RouteRule } | undefined)?.access;
        },
      });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const rule = request.routeOptions.config?.access;
    if (!rule) {
      request.log.error({ route: request.routeOptions.url }, 'route has no access rule: refused');
      throw new Forbidden();
    }
    if ('public' in rule) return;
    if ('kiosk' in rule) {
      // A user session is no kiosk: without a signature there is nothing to check.
      if (!request.headers[KIOSK_SIGNATURE_HEADER]) throw badSignature();
      return;
    }
    const viewer = request.viewer;
    if (!viewer) {
      if (wantsJson(request) || request.method !== 'GET') throw new Unauthorized();
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    if (viewer.needsTwoFactorSetup && !rule.duringTwoFactorSetup) {
      if (request.method === 'GET' && !wantsJson(request)) return reply.redirect('/account/two-factor', 303);
      throw new Forbidden('Set up your second factor first');
    }
    if ('allow' in rule && !rule.allow.includes(viewer.role)) throw new Forbidden();
  });

  // Kiosk routes: after parsing and the route's own body validation (the spec checks the body first),
  // before the handler. No authenticator wired means no kiosk gets in.
  app.addHook('preHandler', async (request) => {
    if (request.is404) return;
    const rule = request.routeOptions.config?.access;
    if (!rule || !('kiosk' in rule)) return;
    if (!options.authenticateKiosk) throw badSignature();
    await options.authenticateKiosk(request);
    if (request.context.actor?.kind !== 'kiosk') throw badSignature();
  });
}

/** The signed-in viewer for a handler behind a non-public rule (the hook guarantees one). */
export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Unauthorized();
  return request.viewer;
}

/**
 * A signed-in user's call as the use cases take it: the request context (actor, company, address),
 * the viewer for policy decisions, and the rows the route's declared scope lets the stores show.
 */
export interface Caller {
  readonly context: RequestContext;
  readonly viewer: Viewer;
  readonly scope: RowScope;
  readonly tenantId: string;
}

export function callerOf(request: FastifyRequest): Caller {
  const viewer = viewerOf(request);
  const rule = request.routeOptions.config?.access;
  const declared = !rule || 'public' in rule || 'kiosk' in rule ? undefined : rule.scope;
  return { context: request.context, viewer, scope: rowScopeFor(viewer, declared), tenantId: viewer.tenantId };
}
