import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { RequestContext } from '../../platform/context/index.js';
import { Forbidden, Unauthorized } from '../../platform/errors.js';
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
 * `scope` says which employee rows the handler's stores will show (see scope.ts); a route that
 * declares none reads none.
 */
export type RouteRule =
  | { public: true }
  | { signedIn: true; scope?: ScopeName; duringTwoFactorSetup?: boolean }
  | { allow: readonly Role[]; scope?: ScopeName; duringTwoFactorSetup?: boolean };

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

export function registerRouteRules(app: FastifyInstance): void {
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
  const declared = rule && 'public' in rule ? undefined : rule?.scope;
  return { context: request.context, viewer, scope: rowScopeFor(viewer, declared), tenantId: viewer.tenantId };
}
