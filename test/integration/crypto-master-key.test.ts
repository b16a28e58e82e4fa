import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldCipher, LocalKeyProvider, rotateTenantKey, tenantDataKeys } from '../../src/platform/crypto/index.js';
import { auditEvents } from '../../src/modules/audit/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { company } from '../support/factories.js';
import { runCommand } from '../support/process.js';

/**
 * Each key version records which master key wrapped it. A process whose key service is another master
 * key (a wrong KMS_KEY_ID, another key file) must neither add a version the tenant's other instances
 * cannot unwrap nor fail obscurely on the ones there: it refuses, naming both. `keys:rewrap` is the way
 * to move a tenant to a new master key.
 */
describe('the master key behind each data key version', () => {
  let testDb: TestDatabase;
  const dirs: string[] = [];
  let providerA: LocalKeyProvider;
  let providerB: LocalKeyProvider;
  let tenant: string;
  const where = { table: 'employees', column: 'pan_cipher', rowId: newId() };
  let value: string;

  const cipherOf = (keyProvider: LocalKeyProvider) => createFieldCipher({ db: testDb.database.db, keyProvider, alert: () => {}, cache: { ttlMs: 50 } });
  const scratch = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bz-master-'));
    dirs.push(dir);
    return dir;
  };
  const versions = async () =>
    (
      await testDb.database.db
        .select({ version: tenantDataKeys.version, masterKeyId: tenantDataKeys.masterKeyId })
        .from(tenantDataKeys)
        .where(eq(tenantDataKeys.tenantId, tenant))
        .orderBy(asc(tenantDataKeys.version))
    ).map((k) => `${k.version}:${k.masterKeyId}`);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    providerA = new LocalKeyProvider({ dataDir: scratch(), isProduction: false });
    providerB = new LocalKeyProvider({ dataDir: scratch(), isProduction: false });
    tenant = (await company(testDb.database.db)).id;
    value = await cipherOf(providerA).encrypt(tenant, where, 'ABCDE1234F');
  });
  afterAll(async () => {
    await testDb?.drop();
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it('refuses to add a key version under another master key, naming both, and the tenant keeps working', async () => {
    const wrong = { db: testDb.database.db, keyProvider: providerB, cipher: cipherOf(providerB) };
    const rotation = rotateTenantKey(wrong, tenant, { batchSize: 10 });
    await expect(rotation).rejects.toThrow(providerA.masterKeyId);
    await expect(rotateTenantKey(wrong, tenant, { batchSize: 10 })).rejects.toThrow(providerB.masterKeyId);
    expect(await versions()).toEqual([`1:${providerA.masterKeyId}`]);
    const right = cipherOf(providerA);
    expect(await right.decrypt(tenant, where, value)).toBe('ABCDE1234F');
    expect(await right.decrypt(tenant, where, await right.encrypt(tenant, where, 'ZZZZZ9999Z'))).toBe('ZZZZZ9999Z');
  });

  it('refuses to use a version wrapped by another master key, naming both', async () => {
    const wrong = cipherOf(providerB);
    const refusal = new RegExp(`key version 1 of tenant ${tenant} is wrapped by ${providerA.masterKeyId}.*${providerB.masterKeyId}`);
    await expect(wrong.decrypt(tenant, where, value)).rejects.toThrow(refusal);
    await expect(wrong.encrypt(tenant, where, 'ABCDE1234F')).rejects.toThrow(refusal);
  });

  it('npm run keys:rewrap moves the tenant to the configured master key, audited as the system', async () => {
    const run = await runCommand('src/cli/keys-rewrap.ts', ['--tenant', tenant, '--from-data-dir', path.dirname(path.dirname(providerA.keyFile))], {
      DATABASE_URL: testDb.url,
      DATA_DIR: path.dirname(path.dirname(providerB.keyFile)),
    });
    expect(run.output).toContain(`tenant ${tenant}: 1 key version(s) re-wrapped from ${providerA.masterKeyId} to ${providerB.masterKeyId}`);
    expect(run.code).toBe(0);
    expect(await versions()).toEqual([`1:${providerB.masterKeyId}`]);
    // The values did not change; the new master key reads them, the old one no longer does.
    expect(await cipherOf(providerB).decrypt(tenant, where, value)).toBe('ABCDE1234F');
    await expect(cipherOf(providerA).decrypt(tenant, where, value)).rejects.toThrow(/is wrapped by/);
    const [entry] = await testDb.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant), eq(auditEvents.action, 'crypto.data_keys_rewrapped')));
    expect(entry).toMatchObject({ actorKind: 'system', actorId: 'keys:rewrap', targetType: 'tenant_data_keys', targetId: tenant });
    expect(JSON.parse(entry!.details!)).toEqual({ versions: [1], from: [providerA.masterKeyId], to: providerB.masterKeyId });

    // Run again, there is nothing left to move; a rotation under the new master key now works.
    const again = await runCommand('src/cli/keys-rewrap.ts', ['--tenant', tenant], {
      DATABASE_URL: testDb.url,
      DATA_DIR: path.dirname(path.dirname(providerB.keyFile)),
    });
    expect(again.output).toContain(`tenant ${tenant}: already under ${providerB.masterKeyId}`);
    expect(again.code).toBe(0);
    const rotated = await rotateTenantKey({ db: testDb.database.db, keyProvider: providerB, cipher: cipherOf(providerB), settleCheckMs: 10 }, tenant, {
      batchSize: 10,
    });
    expect(rotated).toMatchObject({ targetVersion: 2 });
  }, 60_000);
});
