import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase, parseDatabaseUrl } from '../../src/platform/db/admin.js';
import { PLATFORM } from '../../src/platform/storage/index.js';
import { listBackups, readMetadata, restoreBackup, type DrillReport } from '../../src/platform/backup/index.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { runCommand } from '../support/process.js';
import { databaseExists, dropAll, seededSource, type BackupSource } from '../support/backup.js';

/** `npm run backup` / `npm run drill:restore -- …` as an operator runs them, against this file's database. */
const run = (script: 'backup' | 'drill-restore', args: string[], env: Record<string, string>) => runCommand(`src/cli/${script}.ts`, args, env);

describe('npm run backup and npm run drill:restore', () => {
  let from: BackupSource;
  let env: Record<string, string>;
  let backupId: string;
  const created: string[] = [];

  beforeAll(async () => {
    from = await seededSource();
    env = { DATABASE_URL: from.source.url, DATA_DIR: from.config.dataDir };
  });
  afterAll(async () => {
    await dropAll(created);
    await from?.remove();
  });

  it('backup: takes an encrypted backup, prints its id last, exits 0', async () => {
    const result = await run('backup', [], env);
    expect(result.code, result.output).toBe(0);
    backupId = /backup id: (\S+)\n$/.exec(result.output)?.[1] ?? '';
    expect(await listBackups(from.store)).toEqual([backupId]);
    expect(result.output).toMatch(/snapshot shared/);
  }, 30_000);

  it('drill: restores the latest backup into a new database, prints and stores a passing report, drops the database', async () => {
    const result = await run('drill-restore', [], env);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/\(restore\): PASS/);
    expect(result.output).toMatch(/achieved RPO: [\d.]+ s \(age of the backup/);
    expect(result.output).toMatch(/achieved RTO: [\d.]+ s/);
    const reportKey = /report stored at (drills\/\S+\.json)/.exec(result.output)![1]!;
    const report = JSON.parse((await from.store.get(PLATFORM, reportKey)).toString()) as DrillReport;
    expect(report).toMatchObject({ result: 'pass', mode: 'restore', backup: { id: backupId }, target: { kept: false } });
    created.push(withDatabase(parseDatabaseUrl(from.source.url).serverUrl, report.target.database));
    expect(await databaseExists(created.at(-1)!)).toBe(false);
  }, 30_000);

  it('drill --database --backup: exits 1 naming the mismatch when a restored row was changed', async () => {
    const restored = scratchDatabaseUrl('changed');
    created.push(restored);
    await restoreBackup({ backupId, targetDatabaseUrl: restored, keyProvider: from.keyProvider, store: from.store });
    const connection = await mysql.createConnection({ uri: restored });
    await connection.query("UPDATE employees SET designation = 'Changed after restore' ORDER BY id LIMIT 1");
    await connection.end();

    const result = await run('drill-restore', ['--database', restored, '--backup', backupId], env);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/\(verify-only\): FAIL/);
    expect(result.output).toMatch(/FAIL table employees: row checksum differs/);
    expect(result.output).toMatch(/drill FAILED: table employees: row checksum differs/);
    expect(await databaseExists(restored)).toBe(true); // --database never drops what it verifies
  }, 30_000);

  it('drill: exits 1 with the reason when the backup is refused, and for bad arguments', async () => {
    const object = (await readMetadata(from.store, backupId)).object;
    const good = await from.store.get(PLATFORM, object);
    const damaged = Buffer.from(good);
    damaged[200] = damaged[200]! ^ 0x01;
    await from.store.put(PLATFORM, object, damaged);
    try {
      const refused = await run('drill-restore', ['--backup', backupId], env);
      expect(refused.code, refused.output).toBe(1);
      expect(refused.output).toMatch(/FAIL restore: refused \(altered\): .*one or more bytes changed/);
    } finally {
      await from.store.put(PLATFORM, object, good);
    }
    const badId = await run('drill-restore', ['--backup', '../x'], env);
    expect(badId.code).toBe(1);
    expect(badId.output).toMatch(/--backup must be a backup id/);
  }, 30_000);
});
