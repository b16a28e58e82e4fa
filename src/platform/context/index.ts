/**
 * Who is acting, from where, on which company: one value built once per request (or per job, per
 * command) and handed to every use case. Audit entries are made from it and never filled in by hand.
 * The platform knows the kinds of actor; the modules that authenticate them (identity, attendance's
 * kiosks, billing's webhook, support's staff) say which one a request carries.
 */
export type Actor =
  | { kind: 'user'; userId: string }
  /** Platform staff reading a tenant under a support ticket. */
  | { kind: 'staff'; staffId: string; ticket: string }
  /** Platform staff acting as a user, with that user's consent and a ticket. */
  | { kind: 'impersonator'; staffId: string; userId: string; ticket: string }
  | { kind: 'kiosk'; kioskId: string }
  /** A signed machine call from outside, e.g. `razorpay`. */
  | { kind: 'webhook'; sender: string }
  /** Work the platform does by itself: a job, a command. */
  | { kind: 'system'; job: string };

export type ActorKind = Actor['kind'];
export const ACTOR_KINDS = ['user', 'staff', 'impersonator', 'kiosk', 'webhook', 'system'] as const satisfies readonly ActorKind[];

export interface RequestContext {
  /** Correlates log lines, the audit entry and a support question; the request id for HTTP. */
  readonly requestId: string;
  readonly ip: string | null;
  /** Truncated once, here, to what the audit and session tables keep. */
  readonly userAgent: string | null;
  /** The company acted on; null before sign-in and for platform-wide work. */
  readonly tenantId: string | null;
  /** Null for an anonymous caller (sign-in page, password reset before the link is checked). */
  readonly actor: Actor | null;
}

export const USER_AGENT_MAX = 255;

/** The anonymous context of an incoming call: where it comes from, nobody yet. */
export function incomingContext(input: { requestId: string; ip: string | null; userAgent: string | string[] | undefined | null }): RequestContext {
  const userAgent = Array.isArray(input.userAgent) ? input.userAgent.join(' ') : input.userAgent;
  return { requestId: input.requestId, ip: input.ip, userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null, tenantId: null, actor: null };
}

/** The same call, now known to act for `actor` on company `tenantId` (after a session, a signature, a link). */
export function actingAs(context: RequestContext, tenantId: string, actor: Actor): RequestContext {
  return { ...context, tenantId, actor };
}

/** A context for platform work: a recurring job, a command in the image. */
export function systemContext(job: string, requestId: string, tenantId: string | null = null): RequestContext {
  return { requestId, ip: null, userAgent: null, tenantId, actor: { kind: 'system', job } };
}

/** The company of a context that must have one (a use case behind a signed-in route). */
export function tenantOf(context: RequestContext): string {
  if (!context.tenantId) throw new Error(`no company in context ${context.requestId}: the caller is not authenticated for one`);
  return context.tenantId;
}
