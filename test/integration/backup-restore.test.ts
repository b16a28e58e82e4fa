import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldCipher } from '../../src/platform/crypto/index.js';
import { createDatabase } from '../../src/platform/db/client.js';
import { journalEntries } from '../../src/platform/db/migrate.js';
import { PLATFORM } from '../../src/platform/storage/index.js';
import {
  backupKeyContext,
  listBackups,
  restoreBackup,
  runRestoreDrill,
  takeBackup,
  verifyRestore,
  type BackupMetadata,
  type DrillReport,
} from '../../src/platform/backup/index.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { databaseExists, dropAll, filesUnder, fingerprintOf, seededSource, type BackupSource } from '../support/backup.js';

type EmployeeRow = Record<string, unknown> & { id: string; tenant_id: string; full_name: string; pan_cipher: string | null };

async function employeesOf(url: string): Promise<EmployeeRow[]> {
  const connection = await mysql.createConnection({ uri: url, timezone: 'Z', dateStrings: true });
  try {
    const [rows] = await connection.query('SELECT * FROM employees ORDER BY id');
    return rows as EmployeeRow[];
  } finally {
    await connection.end();
  }
}

/** Decrypts every employee's PAN through a field cipher over the given database. */
async function pansOf(url: string, from: BackupSource): Promise<string[]> {
  const handle = createDatabase({ url, poolSize: 2 });
  try {
    const cipher = createFieldCipher({ db: handle.db, keyProvider: from.keyProvider, alert: () => {} });
    const pans: string[] = [];
    for (const row of await employeesOf(url)) {
      if (row.pan_cipher) pans.push(await cipher.decrypt(row.tenant_id, { table: 'employees', column: 'pan_cipher', rowId: row.id }, row.pan_cipher));
    }
    return pans;
  } finally {
    await handle.close();
  }
}

describe('encrypted backup, restore into a new database, verification', () => {
  let from: BackupSource;
  let metadata: BackupMetadata;
  const created: string[] = [];

  beforeAll(async () => {
    from = await seededSource();
    metadata = await takeBackup({ databaseUrl: from.source.url, backupKey: from.backupKey, store: from.store });
  });
  afterAll(async () => {
    await dropAll(created);
    await from?.remove();
  });

  it('records the schema version, every table with rows and checksum, the wrapped key and the sizes', async () => {
    expect(await listBackups(from.store)).toEqual([metadata.id]);
    expect(metadata.schema).toMatchObject({ migrations: journalEntries(), codeMigrations: journalEntries() });
    expect(metadata.schema.lastHash).toMatch(/^[0-9a-f]{64}$/);
    const employees = metadata.tables.find((t) => t.name === 'employees');
    expect(employees).toMatchObject({ rows: 120 });
    expect(metadata.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['companies', 'employees', 'tenant_data_keys', '__drizzle_migrations']));
    expect(metadata.tables).toEqual(await fingerprintOf(from.source.url));
    expect(metadata.key).toMatchObject({ context: backupKeyContext(metadata.id), masterKeyId: from.backupKey.id });
    expect(metadata.key.masterKeyId).not.toBe(from.keyProvider.masterKeyId);
    expect(metadata.source).toMatchObject({ snapshot: 'shared', database: from.source.url.split('/').pop() });
    expect(metadata.sizes.plaintextBytes).toBeGreaterThan(10_000);
    const stored = await from.store.get(PLATFORM, metadata.object);
    expect(stored.length).toBe(metadata.sizes.ciphertextBytes);
    expect(metadata.mac).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never puts plaintext in the object store: no name, PAN, field ciphertext or SQL in any stored byte', async () => {
    const [someone] = await employeesOf(from.source.url);
    const [pan] = await pansOf(from.source.url, from);
    const needles = [someone!.full_name, pan!, someone!.pan_cipher!, 'INSERT INTO', 'CREATE TABLE', from.seed.companies[0]!.name];
    const files = filesUnder(path.join(from.config.dataDir, 'objects'));
    expect(files.some((f) => f.file.endsWith('dump.sql.enc'))).toBe(true);
    for (const { file, bytes } of files.filter((f) => f.file.endsWith('.enc') || f.file.includes('metadata'))) {
      for (const needle of needles) {
        expect(bytes.includes(Buffer.from(needle, 'utf8')), `${needle} in ${path.basename(file)}`).toBe(false);
      }
    }
  });

  it('restores into a brand-new database with the same rows, and the sensitive fields decrypt', async () => {
    const target = scratchDatabaseUrl('restore');
    created.push(target);
    const restored = await restoreBackup({ backupId: metadata.id, targetDatabaseUrl: target, backupKey: from.backupKey, store: from.store });
    expect(restored.database).toBe(target.split('/').pop());
    expect(await employeesOf(target)).toEqual(await employeesOf(from.source.url));
    expect(await fingerprintOf(target)).toEqual(metadata.tables);
    const pans = await pansOf(target, from);
    expect(pans).toHaveLength(120);
    expect(pans).toEqual(await pansOf(from.source.url, from));
    for (const pan of pans) expect(pan).toMatch(/^[A-Z]{5}[0-9]{4}[A-Z]$/);

    const report = await verifyRestore({ databaseUrl: target, keyProvider: from.keyProvider, metadata });
    expect(report.ok).toBe(true);
  });

  it('runs the drill: restore, verify, RPO and RTO, report stored under drills/, database dropped after a pass', async () => {
    const clock = new Date(Date.parse(metadata.takenAt) + 90_000);
    const report = await runRestoreDrill({
      store: from.store,
      keyProvider: from.keyProvider,
      backupKey: from.backupKey,
      serverUrl: from.source.url,
      now: () => clock,
      auditChain: async () => ({ ok: true, detail: 'test verifier: chain intact' }),
    });
    expect(report.result).toBe('pass');
    expect(report.backup?.id).toBe(metadata.id);
    expect(report.rpo.seconds).toBe(90);
    expect(report.rto.restoreSeconds).toBeGreaterThan(0);
    expect(report.rto.verifySeconds).toBeGreaterThan(0);
    expect(report.rto.seconds).toBeCloseTo(report.rto.restoreSeconds! + report.rto.verifySeconds!, 2);
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({ restore: 'pass', 'schema version': 'pass', tables: 'pass', 'table employees': 'pass', 'audit hash chain': 'pass' });
    expect(status).toMatchObject({ 'recovery point': 'pass', 'recovery time': 'pass' });
    for (const company of from.seed.companies) expect(status[`sensitive fields of tenant ${company.tenantId}`]).toBe('pass');
    expect(report.checks.filter((c) => c.name.startsWith('table ')).length).toBe(metadata.tables.length);
    expect(report.target.kept).toBe(false);
    expect(await databaseExists(`${from.source.url.replace(/\/[^/]+$/, '')}/${report.target.database}`)).toBe(false);

    const stored = JSON.parse((await from.store.get(PLATFORM, report.reportKey)).toString()) as DrillReport;
    expect(report.reportKey).toMatch(/^drills\/\d{8}T\d{9}Z-[0-9a-f]{6}\.json$/);
    expect(stored).toEqual(report);
  });

  it("checksums come from the dump's own snapshot: writes during the backup do not make the restore disagree", async () => {
    const writer = await mysql.createConnection({ uri: from.source.url });
    let writing = true;
    let writes = 0;
    const loop = (async () => {
      while (writing) {
        await writer.query("INSERT INTO login_failures (ip, account_key, at) VALUES ('10.0.0.1', 'k', NOW(3))");
        await writer.query('UPDATE departments SET cost_centre = ? ORDER BY id LIMIT 1', [`CC-${writes % 1000}`]);
        writes++;
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 50));
      const during = await takeBackup({ databaseUrl: from.source.url, backupKey: from.backupKey, store: from.store });
      const target = scratchDatabaseUrl('during');
      created.push(target);
      writing = false;
      await loop;
      expect(writes).toBeGreaterThan(10);
      await restoreBackup({ backupId: during.id, targetDatabaseUrl: target, backupKey: from.backupKey, store: from.store });
      const report = await verifyRestore({ databaseUrl: target, keyProvider: from.keyProvider, metadata: during });
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    } finally {
      writing = false;
      await loop;
      await writer.end();
    }
  });
});
