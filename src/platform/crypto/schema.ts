import { customType, datetime, index, int, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { createdAt, idColumn, updatedAt } from '../db/columns.js';

/**
 * Raw bytes as a Buffer. Drizzle's own `varbinary` maps to a string (through UTF-8), which would
 * corrupt a wrapped key, so this column type passes the driver's Buffer through untouched.
 */
const bytes = customType<{ data: Buffer; driverData: Buffer; config: { length: number } }>({
  dataType(config) {
    return `varbinary(${config?.length ?? 1024})`;
  },
  fromDriver(value) {
    return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
  },
});

export const DATA_KEY_STATUSES = ['active', 'retired'] as const;

/**
 * Each tenant's data keys, wrapped by the key service (KMS or the local master key): the database
 * never holds a usable key. A new version is added by rotation; values name the version that
 * encrypted them. Retired versions are kept: backups and stragglers may still carry their values.
 * No foreign key to companies: platform/ knows no module (the rows are removed with the tenant's data).
 */
export const tenantDataKeys = mysqlTable(
  'tenant_data_keys',
  {
    tenantId: idColumn('tenant_id').notNull(),
    version: int('version').notNull(),
    // A KMS CiphertextBlob for a 256-bit key is about 184 bytes; the local format is 61.
    wrappedKey: bytes('wrapped_key', { length: 1024 }).notNull(),
    /** The KMS key ARN, or `local:<fingerprint>`: which master key can unwrap it. */
    masterKeyId: varchar('master_key_id', { length: 512 }).notNull(),
    status: varchar('status', { length: 10, enum: DATA_KEY_STATUSES }).notNull().default('active'),
    createdAt: createdAt(),
    retiredAt: datetime('retired_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [primaryKey({ name: 'tenant_data_keys_pk', columns: [t.tenantId, t.version] })],
);

export const ROTATION_STATUSES = ['running', 'done'] as const;

/**
 * Progress of re-encrypting one registered column of one tenant to a target key version: one row per
 * (tenant, target version, table, column). Rows are visited in id order and `cursor` is the last id
 * committed, so a crashed rotation resumes where it stopped instead of starting over.
 */
export const keyRotationJobs = mysqlTable(
  'key_rotation_jobs',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id').notNull(),
    targetVersion: int('target_version').notNull(),
    tableName: varchar('table_name', { length: 64 }).notNull(),
    columnName: varchar('column_name', { length: 64 }).notNull(),
    /** The last row id re-encrypted (ids are UUIDv7 strings, ordered); empty before the first batch. */
    cursor: varchar('cursor', { length: 64 }).notNull().default(''),
    status: varchar('status', { length: 10, enum: ROTATION_STATUSES }).notNull().default('running'),
    rowsSeen: int('rows_seen').notNull().default(0),
    rowsReencrypted: int('rows_reencrypted').notNull().default(0),
    /** Values that did not decrypt (each one alerted); left as they are, their key version is kept. */
    rowsRejected: int('rows_rejected').notNull().default(0),
    batches: int('batches').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: datetime('finished_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [
    uniqueIndex('key_rotation_jobs_target_uq').on(t.tenantId, t.targetVersion, t.tableName, t.columnName),
    index('key_rotation_jobs_status_ix').on(t.tenantId, t.status),
  ],
);

export type TenantDataKey = typeof tenantDataKeys.$inferSelect;
export type KeyRotationJob = typeof keyRotationJobs.$inferSelect;
