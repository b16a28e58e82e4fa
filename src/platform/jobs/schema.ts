import { customType, datetime, index, int, mysqlTable, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { idColumn } from '../db/columns.js';

/**
 * JSON kept as text. MariaDB's JSON type is LONGTEXT underneath and reaches the driver as a string
 * (MySQL's arrives parsed), so the column parses it here and both servers read the same.
 */
const jsonText = customType<{ data: unknown; driverData: string }>({
  dataType() {
    return 'text';
  },
  toDriver(value) {
    return JSON.stringify(value);
  },
  fromDriver(value) {
    return JSON.parse(typeof value === 'string' ? value : String(value)) as unknown;
  },
});

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Work that outlives a request: queued here, claimed by one instance at a time under a lease
 * (`lease_token` + `lease_until`), done in steps whose checkpoint commits with the step's writes.
 * Every time is the injected clock's, written by the runner (no CURRENT_TIMESTAMP defaults), so
 * tests that move a clock see leases expire.
 */
export const jobs = mysqlTable(
  'jobs',
  {
    id: idColumn().primaryKey(),
    kind: varchar('kind', { length: 64 }).notNull(),
    /** Null for platform jobs (housekeeping, key rotation of all tenants). */
    tenantId: idColumn('tenant_id'),
    /**
     * Unique while the row exists: a second enqueue with the same key is a no-op. Recurring jobs use
     * `kind@periodStart`, so one run per period however many instances enqueue it.
     */
    dedupeKey: varchar('dedupe_key', { length: 191 }),
    payload: jsonText('payload'),
    status: varchar('status', { length: 10, enum: JOB_STATUSES }).notNull(),
    /** Not claimed before this instant (retry back-off). */
    runAfter: datetime('run_after', { mode: 'date', fsp: 3 }).notNull(),
    /** Which instance holds the lease, for people reading the table. */
    owner: varchar('owner', { length: 100 }),
    /** New for every claim: a step commits only while its claim's token is still on the row. */
    leaseToken: idColumn('lease_token'),
    leaseUntil: datetime('lease_until', { mode: 'date', fsp: 3 }),
    /** Claims so far, a take-over after a crash included; a graceful stop gives its claim back. */
    attempts: int('attempts').notNull().default(0),
    maxAttempts: int('max_attempts').notNull(),
    /** The last committed step's checkpoint: where a resumed run continues. */
    checkpoint: jsonText('checkpoint'),
    progressDone: int('progress_done').notNull().default(0),
    progressTotal: int('progress_total'),
    progressMessage: varchar('progress_message', { length: 255 }),
    lastError: varchar('last_error', { length: 2000 }),
    /** What the handler returned, for whoever waits on the job (a command printing a summary). */
    result: jsonText('result'),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
    finishedAt: datetime('finished_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [
    uniqueIndex('jobs_dedupe_uq').on(t.dedupeKey),
    // The two claim scans: due queued jobs in order, and running jobs whose lease ran out.
    index('jobs_due_ix').on(t.status, t.runAfter),
    index('jobs_lease_ix').on(t.status, t.leaseUntil),
    index('jobs_tenant_ix').on(t.tenantId, t.kind),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
