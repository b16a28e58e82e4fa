import { customType, datetime, int, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';
import { createdAt, idColumn } from '../db/columns.js';

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
    /**
     * The blind-index key of this version, wrapped like the data key (KMS context purpose=blind-index).
     * Null on versions made before blind indexes had keys of their own: their indexes were derived from
     * version 1's data key, so that version stays until a rotation has re-indexed every value.
     */
    wrappedIndexKey: bytes('wrapped_index_key', { length: 1024 }),
    /** The KMS key ARN, or `local:<fingerprint>`: which master key can unwrap it. */
    masterKeyId: varchar('master_key_id', { length: 512 }).notNull(),
    status: varchar('status', { length: 10, enum: DATA_KEY_STATUSES }).notNull().default('active'),
    createdAt: createdAt(),
    retiredAt: datetime('retired_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [primaryKey({ name: 'tenant_data_keys_pk', columns: [t.tenantId, t.version] })],
);

export type TenantDataKey = typeof tenantDataKeys.$inferSelect;
