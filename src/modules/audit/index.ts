import type { Clock } from '../../platform/clock/index.js';
import { tenantOf, type Actor, type RequestContext } from '../../platform/context/index.js';
import type { Db } from '../../platform/db/client.js';
import { auditEvents, type AuditEvent } from './schema.js';

export { auditEvents, type AuditEvent } from './schema.js';

/**
 * The company column of entries for platform-wide work that acts on no company (pruning logical
 * backups). Every entry so far had a company and the column is NOT NULL; the nil UUID is no company's
 * id (company ids are UUIDv7), so these entries stay out of every customer's view of their log.
 */
export const PLATFORM_AUDIT_TENANT = '00000000-0000-0000-0000-000000000000';

export interface AuditTarget {
  type: string;
  id: string;
}

/** Who did it, as the columns keep it: the actor's kind and id, and for staff the ticket and the user acted as. */
function actorColumns(actor: Actor | null): Pick<AuditEvent, 'actorKind' | 'actorId' | 'onBehalfOf' | 'ticket'> {
  if (!actor) throw new Error('an audit entry needs an actor: authenticate the context first');
  switch (actor.kind) {
    case 'user':
      return { actorKind: 'user', actorId: actor.userId, onBehalfOf: null, ticket: null };
    case 'staff':
      return { actorKind: 'staff', actorId: actor.staffId, onBehalfOf: null, ticket: actor.ticket };
    case 'impersonator':
      return { actorKind: 'impersonator', actorId: actor.staffId, onBehalfOf: actor.userId, ticket: actor.ticket };
    case 'kiosk':
      return { actorKind: 'kiosk', actorId: actor.kioskId, onBehalfOf: null, ticket: null };
    case 'webhook':
      return { actorKind: 'webhook', actorId: actor.sender, onBehalfOf: null, ticket: null };
    case 'system':
      return { actorKind: 'system', actorId: actor.job, onBehalfOf: null, ticket: null };
  }
}

/**
 * The audit log. Called by every module and calls no one. Each entry is made from the request
 * context (actor, company, address, request id) and stamped by the injected clock; pass the
 * transaction so the entry lands with the change it describes, or not at all.
 */
export function createAudit(deps: { clock: Clock }) {
  return {
    /** `details`: reason, before → after. Callers mask sensitive values before they get here. */
    async recordFor(tx: Db, context: RequestContext, action: string, target?: AuditTarget | null, details?: Record<string, unknown>): Promise<void> {
      await tx.insert(auditEvents).values({
        tenantId: tenantOf(context),
        at: deps.clock.now(),
        ...actorColumns(context.actor),
        requestId: context.requestId,
        action,
        targetType: target?.type ?? null,
        targetId: target?.id ?? null,
        ip: context.ip,
        userAgent: context.userAgent,
        details: details ? JSON.stringify(details) : null,
      });
    },
  };
}

export type Audit = ReturnType<typeof createAudit>;
