import { bigint, datetime, index, mysqlTable, text, varchar } from 'drizzle-orm/mysql-core';
import { idColumn } from '../../platform/db/columns.js';

/**
 * Append-only audit log. This issue writes entries; the audit issue adds the hash chain, the
 * customer page, retention and archive.
 */
export const auditEvents = mysqlTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    tenantId: idColumn('tenant_id').notNull(),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
    actorKind: varchar('actor_kind', { length: 20, enum: ['user', 'staff', 'impersonator', 'system'] }).notNull(),
    actorId: varchar('actor_id', { length: 64 }),
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
