import type { Db } from '../../platform/db/client.js';
import { auditEvents } from './schema.js';

export { auditEvents } from './schema.js';

export interface AuditEntry {
  tenantId: string;
  actor: { kind: 'user' | 'staff' | 'impersonator' | 'system'; id?: string };
  action: string;
  target?: { type: string; id: string };
  ip?: string;
  userAgent?: string;
  /** Reason, before → after. Callers mask sensitive values before they get here. */
  details?: Record<string, unknown>;
}

/**
 * Writes one audit entry. Called by every module and calls no one; pass the transaction's `db` so the
 * entry lands with the change it describes, or not at all.
 */
export async function record(db: Db, entry: AuditEntry, at = new Date()): Promise<void> {
  await db.insert(auditEvents).values({
    tenantId: entry.tenantId,
    at,
    actorKind: entry.actor.kind,
    actorId: entry.actor.id ?? null,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: entry.ip ?? null,
    userAgent: entry.userAgent?.slice(0, 255) ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  });
}

export const audit = { record };
