import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { duplicateKeyOf, type Db } from '../db/client.js';
import type { KeyProvider } from './key-provider.js';
import { tenantDataKeys } from './schema.js';

/**
 * The tenant data key rows: read, add a version, retire old versions. Shared by the field cipher
 * (first key, lazily) and rotation (next key).
 */

export interface StoredDataKey {
  tenantId: string;
  version: number;
  wrapped: Buffer;
  /** The version's blind-index key; null on versions from before index keys (see schema.ts). */
  wrappedIndex: Buffer | null;
  masterKeyId: string;
  status: 'active' | 'retired';
}

export interface NewDataKey {
  version: number;
  /** Set when this call made the key, so the caller can skip one unwrap. */
  plaintext?: Buffer;
  indexPlaintext?: Buffer;
  created: boolean;
}

/**
 * A key version wrapped by one master key met a process whose key service is another (a wrong
 * KMS_KEY_ID, another installation's key file). Said by name: "does not unwrap" would hide which.
 */
export class ForeignMasterKey extends Error {
  readonly code = 'foreign_master_key';
  constructor(message: string) {
    super(`${message} (check KEY_PROVIDER and KMS_KEY_ID or the key file; to move a tenant to a new master key, run npm run keys:rewrap)`);
    this.name = 'ForeignMasterKey';
  }
}

/** Refuses to use a stored version unless this process's master key is the one that wrapped it. */
export async function checkMasterKey(keyProvider: KeyProvider, stored: Pick<StoredDataKey, 'tenantId' | 'version' | 'masterKeyId'>): Promise<void> {
  const current = await keyProvider.currentMasterKeyId();
  if (stored.masterKeyId === current) return;
  throw new ForeignMasterKey(
    `key version ${stored.version} of tenant ${stored.tenantId} is wrapped by ${stored.masterKeyId}, but this process's master key is ${current}`,
  );
}

/** A unique-key collision (another instance made the same key first). */
export function isDuplicateKey(error: unknown): boolean {
  return duplicateKeyOf(error) !== undefined;
}

export async function latestDataKeyVersion(db: Db, tenantId: string): Promise<number | undefined> {
  return (await latestDataKey(db, tenantId))?.version;
}

async function latestDataKey(db: Db, tenantId: string): Promise<{ version: number; masterKeyId: string } | undefined> {
  const rows = await db
    .select({ version: tenantDataKeys.version, masterKeyId: tenantDataKeys.masterKeyId })
    .from(tenantDataKeys)
    .where(eq(tenantDataKeys.tenantId, tenantId))
    .orderBy(desc(tenantDataKeys.version))
    .limit(1);
  return rows[0];
}

export async function readDataKey(db: Db, tenantId: string, version: number): Promise<StoredDataKey | undefined> {
  const rows = await db
    .select()
    .from(tenantDataKeys)
    .where(and(eq(tenantDataKeys.tenantId, tenantId), eq(tenantDataKeys.version, version)))
    .limit(1);
  const row = rows[0];
  if (!row) return undefined;
  return {
    tenantId: row.tenantId,
    version: row.version,
    wrapped: row.wrappedKey,
    wrappedIndex: row.wrappedIndexKey,
    masterKeyId: row.masterKeyId,
    status: row.status,
  };
}

/** The tenant's versions, oldest first, and whether each has a blind-index key of its own. */
export async function listDataKeyVersions(db: Db, tenantId: string): Promise<{ version: number; hasIndexKey: boolean }[]> {
  const rows = await db
    .select({ version: tenantDataKeys.version, hasIndexKey: sql<number>`${tenantDataKeys.wrappedIndexKey} IS NOT NULL` })
    .from(tenantDataKeys)
    .where(eq(tenantDataKeys.tenantId, tenantId))
    .orderBy(tenantDataKeys.version);
  return rows.map((row) => ({ version: row.version, hasIndexKey: Number(row.hasIndexKey) === 1 }));
}

/**
 * Adds `version` for the tenant unless another process (or instance) already did: the primary key
 * (tenant, version) decides the race, and the loser simply uses the winner's key. The loser's freshly
 * generated key is discarded before it ever encrypted anything.
 *
 * A new version goes under the master key of the tenant's existing ones, or not at all: a version
 * made by a process with the wrong key service would be the one every instance writes with, and
 * none of them could unwrap it.
 */
export async function addDataKeyVersion(db: Db, keyProvider: KeyProvider, tenantId: string, version: number): Promise<NewDataKey> {
  const latest = await latestDataKey(db, tenantId);
  if (latest) await refuseForeignVersion(keyProvider, tenantId, version, latest.masterKeyId, await keyProvider.currentMasterKeyId());
  const generated = await keyProvider.generateDataKey(tenantId);
  if (latest) await refuseForeignVersion(keyProvider, tenantId, version, latest.masterKeyId, generated.masterKeyId);
  // The version's blind-index key: its own key under its own KMS context, not derived from the data key.
  const index = await keyProvider.generateDataKey(tenantId, 'blind-index');
  try {
    await db.insert(tenantDataKeys).values({
      tenantId,
      version,
      wrappedKey: generated.wrapped,
      wrappedIndexKey: index.wrapped,
      masterKeyId: generated.masterKeyId,
      status: 'active',
    });
    return { version, plaintext: generated.plaintext, indexPlaintext: index.plaintext, created: true };
  } catch (error) {
    generated.plaintext.fill(0);
    index.plaintext.fill(0);
    if (!isDuplicateKey(error)) throw error;
    return { version, created: false };
  }
}

async function refuseForeignVersion(keyProvider: KeyProvider, tenantId: string, version: number, tenantMasterKeyId: string, newMasterKeyId: string) {
  if (newMasterKeyId === tenantMasterKeyId) return;
  throw new ForeignMasterKey(
    `refusing to add key version ${version} of tenant ${tenantId} under master key ${newMasterKeyId}: the tenant's key versions are wrapped by ${tenantMasterKeyId}`,
  );
}

/** Marks every version below `keepFrom` retired: still readable, no longer written. */
export async function retireDataKeysBelow(db: Db, tenantId: string, keepFrom: number): Promise<void> {
  await db
    .update(tenantDataKeys)
    .set({ status: 'retired', retiredAt: sql`COALESCE(${tenantDataKeys.retiredAt}, CURRENT_TIMESTAMP(3))` })
    .where(and(eq(tenantDataKeys.tenantId, tenantId), lt(tenantDataKeys.version, keepFrom)));
}

/** Tenants that have at least one data key: exactly those that may hold encrypted values. */
export async function tenantsWithDataKeys(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ tenantId: tenantDataKeys.tenantId }).from(tenantDataKeys).orderBy(tenantDataKeys.tenantId);
  return rows.map((row) => row.tenantId);
}
