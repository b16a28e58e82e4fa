import { asc, and, eq } from 'drizzle-orm';
import { inTransaction, type Db } from '../db/client.js';
import { ForeignMasterKey } from './data-keys.js';
import type { KeyProvider, KeyPurpose } from './key-provider.js';
import { tenantDataKeys } from './schema.js';

/**
 * Moving a tenant to a new master key (a new KMS key, or from the local key file to KMS): every data
 * key version is unwrapped by the master key that wrapped it and wrapped again by the new one. The
 * data keys themselves do not change, so no value is re-encrypted; the rows change in one transaction
 * (with the caller's audit entry), so a tenant is never half under one master key and half under another.
 *
 * Instances configured with the old master key keep the keys they hold unwrapped until their cache
 * lets them go, then refuse the re-wrapped rows by name (ForeignMasterKey): deploy the new key
 * configuration right after.
 */

export interface RewrapDeps {
  db: Db;
  /** The new master key: the configured key service. */
  to: KeyProvider;
  /** The key service for a master key id found on a row (the old KMS key, the old key file). */
  from: (masterKeyId: string) => KeyProvider;
  /** Writes the audit entry, in the transaction that moves the rows; called only when some moved. */
  record: (tx: Db, moved: RewrapResult) => Promise<void>;
}

export interface RewrapResult {
  tenantId: string;
  /** How many key versions the tenant has (0: no such tenant, or nothing of it encrypted). */
  keyVersions: number;
  /** The versions re-wrapped (empty when all were already under `to`). */
  versions: number[];
  /** The master keys they were under. */
  from: string[];
  to: string;
}

export async function rewrapTenantKeys(deps: RewrapDeps, tenantId: string): Promise<RewrapResult> {
  const to = await deps.to.currentMasterKeyId();
  return inTransaction(deps.db, async (tx) => {
    // FOR UPDATE: a rotation cannot add a version under the old master key meanwhile.
    const rows = await tx.select().from(tenantDataKeys).where(eq(tenantDataKeys.tenantId, tenantId)).orderBy(asc(tenantDataKeys.version)).for('update');
    const moving = rows.filter((row) => row.masterKeyId !== to);
    const result: RewrapResult = {
      tenantId,
      keyVersions: rows.length,
      versions: moving.map((r) => r.version),
      from: [...new Set(moving.map((r) => r.masterKeyId))],
      to,
    };
    for (const row of moving) {
      const source = deps.from(row.masterKeyId);
      const sourceId = await source.currentMasterKeyId();
      if (sourceId !== row.masterKeyId) {
        throw new ForeignMasterKey(
          `key version ${row.version} of tenant ${tenantId} is wrapped by ${row.masterKeyId}, but the old master key given is ${sourceId}`,
        );
      }
      const wrappedKey = await rewrap(deps, source, tenantId, row.wrappedKey, 'field-encryption', to);
      const wrappedIndexKey = row.wrappedIndexKey && (await rewrap(deps, source, tenantId, row.wrappedIndexKey, 'blind-index', to));
      await tx
        .update(tenantDataKeys)
        .set({ wrappedKey, wrappedIndexKey, masterKeyId: to })
        .where(and(eq(tenantDataKeys.tenantId, tenantId), eq(tenantDataKeys.version, row.version)));
    }
    if (moving.length > 0) await deps.record(tx, result);
    return result;
  });
}

async function rewrap(deps: RewrapDeps, source: KeyProvider, tenantId: string, wrapped: Buffer, purpose: KeyPurpose, to: string): Promise<Buffer> {
  const key = await source.unwrap(tenantId, wrapped, purpose);
  try {
    const rewrapped = await deps.to.wrap(tenantId, key, purpose);
    if (rewrapped.masterKeyId !== to) throw new ForeignMasterKey(`the key service wrapped under ${rewrapped.masterKeyId}, not ${to}`);
    return rewrapped.wrapped;
  } finally {
    key.fill(0);
  }
}
