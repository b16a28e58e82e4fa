import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM } from '../../src/platform/storage/index.js';
import {
  restoreBackup,
  runRestoreDrill,
  runVerificationDrill,
  takeBackup,
  verifyRestore,
  type BackupMetadata,
  type DrillReport,
} from '../../src/platform/backup/index.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { dropAll, fingerprintOf, seededSource, type BackupSource } from '../support/backup.js';

/** A drill passes only when every promise was checked and kept. */
describe('the drill fails what it cannot vouch for', () => {
  let from: BackupSource;
  let metadata: BackupMetadata;
  const created: string[] = [];
  const chainIntact = async () => ({ ok: true, detail: 'test verifier: chain intact' });

  beforeAll(async () => {
    from = await seededSource();
    metadata = await takeBackup({ databaseUrl: from.source.url, backupKey: from.backupKey, store: from.store });
  });
  afterAll(async () => {
    await dropAll(created);
    await from?.remove();
  });

  const drill = (hoursAfterBackup: number, options: { auditChain?: typeof chainIntact } = {}) =>
    runRestoreDrill({
      store: from.store,
      keyProvider: from.keyProvider,
      backupKey: from.backupKey,
      serverUrl: from.source.url,
      now: () => new Date(Date.parse(metadata.takenAt) + hoursAfterBackup * 3600_000),
      ...options,
    });
  const failed = (report: DrillReport) => report.checks.filter((check) => check.status !== 'pass').map((check) => check.name);

  it('a 72-hour-old backup fails on the recovery point (promise: 24 hours); a 23-hour-old one passes', async () => {
    const stale = await drill(72, { auditChain: chainIntact });
    expect(stale.result).toBe('fail');
    expect(failed(stale)).toEqual(['recovery point']);
    expect(stale.checks.find((c) => c.name === 'recovery point')!.detail).toMatch(/72 h .* more than the 24 h promised/);

    const fresh = await drill(23, { auditChain: chainIntact });
    expect(failed(fresh)).toEqual([]);
    expect(fresh.result).toBe('pass');
    expect(fresh.checks.find((c) => c.name === 'recovery time')!.detail).toMatch(/within the 4 h promised/);
  });

  it('a check that was skipped fails the drill: without an audit chain verifier there is no pass', async () => {
    const report = await drill(1);
    expect(report.result).toBe('fail');
    expect(failed(report)).toEqual(['audit hash chain']);
  });

  it('verifying a restored database against a backup believes only metadata the backup key vouches for', async () => {
    const target = scratchDatabaseUrl('edited');
    created.push(target);
    await restoreBackup({ backupId: metadata.id, targetDatabaseUrl: target, backupKey: from.backupKey, store: from.store });
    const connection = await mysql.createConnection({ uri: target });
    await connection.query("UPDATE employees SET designation = 'Changed after restore' ORDER BY id LIMIT 1");
    await connection.end();
    // Someone who may write under the backups prefix makes the metadata agree with the changed database.
    const key = `backups/${metadata.id}/metadata.json`;
    const original = await from.store.get(PLATFORM, key);
    await from.store.put(PLATFORM, key, Buffer.from(JSON.stringify({ ...metadata, tables: await fingerprintOf(target) })));
    try {
      const report = await runVerificationDrill({
        store: from.store,
        keyProvider: from.keyProvider,
        backupKey: from.backupKey,
        databaseUrl: target,
        backupId: metadata.id,
        auditChain: chainIntact,
      });
      expect(report.result).toBe('fail');
      expect(report.checks).toContainEqual(expect.objectContaining({ name: 'backup', status: 'fail', detail: expect.stringMatching(/MAC does not verify/) }));
    } finally {
      await from.store.put(PLATFORM, key, original);
    }
  });

  it('one value of every key version of every tenant is decrypted: a broken version held by one value in 60 is found', async () => {
    const target = scratchDatabaseUrl('keyversion');
    created.push(target);
    await restoreBackup({ backupId: metadata.id, targetDatabaseUrl: target, backupKey: from.backupKey, store: from.store });
    const tenant = from.seed.companies[0]!.tenantId;
    const connection = await mysql.createConnection({ uri: target });
    try {
      // Version 2 of one tenant's data key is unusable, and one employee's PAN claims to be under it.
      await connection.query(
        `INSERT INTO tenant_data_keys (tenant_id, version, wrapped_key, master_key_id, status)
         SELECT tenant_id, 2, RANDOM_BYTES(61), master_key_id, 'active' FROM tenant_data_keys WHERE tenant_id = ? AND version = 1`,
        [tenant],
      );
      await connection.query("UPDATE employees SET pan_cipher = REPLACE(pan_cipher, 'v1:1:', 'v1:2:') WHERE tenant_id = ? ORDER BY id LIMIT 1", [tenant]);
    } finally {
      await connection.end();
    }
    const report = await verifyRestore({ databaseUrl: target, keyProvider: from.keyProvider, samplesPerKeyVersion: 1, auditChain: chainIntact });
    const fields = report.checks.find((c) => c.name === `sensitive fields of tenant ${tenant}`)!;
    expect(fields.status).toBe('fail');
    expect(fields.detail).toMatch(/employees\.pan_cipher .*key version 2/);
    expect(report.ok).toBe(false);
  });
});
