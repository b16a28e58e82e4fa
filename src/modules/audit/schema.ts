import { bigint, datetime, index, mysqlTable, text, varchar } from 'drizzle-orm/mysql-core';
import { ACTOR_KINDS } from '../../platform/context/index.js';
import { idColumn } from '../../platform/db/columns.js';

/**
 * Append-only audit log, written only through `audit.recordFor` from a request context. The audit
 * issue adds the hash chain, the customer page, retention and archive.
 */
export const auditEvents = mysqlTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    tenantId: idColumn('tenant_id').notNull(),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
    actorKind: varchar('actor_kind', { length: 20, enum: ACTOR_KINDS }).notNull(),
    /** user id, staff id (also when impersonating), kiosk id, webhook sender, or job name. */
    actorId: varchar('actor_id', { length: 64 }),
    /** The user an impersonating staff member acted as. */
    onBehalfOf: varchar('on_behalf_of', { length: 64 }),
    /** Support ticket reference for staff access and impersonation. */
    ticket: varchar('ticket', { length: 64 }),
    requestId: varchar('request_id', { length: 64 }),
    action: varchar('action', { length: 64 }).notNull(),
    targetType: varchar('target_type', { length: 40 }),
    targetId: varchar('target_id', { length: 64 }),
    ip: varchar('ip', { length: 45 }),
    userAgent: varchar('user_agent', { length: 255 }),
    /** JSON: reason, before → after with sensitive values masked. Never plaintext of a sensitive field. */
    details: text('details'),
  },
  (t) => [index('audit_events_tenant_at_ix').on(t.tenantId, t.at)],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
