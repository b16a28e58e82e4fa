import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase, parseDatabaseUrl } from '../../src/platform/db/admin.js';
import { PLATFORM } from '../../src/platform/storage/index.js';
import { readMetadata, restoreBackup, takeBackup } from '../../src/platform/backup/index.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { runCommand } from '../support/process.js';
import { databaseExists, dropAll, seededSource, type BackupSource } from '../support/backup.js';

/**
 * `npm run drill:restore -- …` refusing what it must, as an operator runs it against this file's
 * database. The passing backup and drill run compiled, as in the image, in cli-compiled.test.ts.
 */
const run = (script: 'drill-restore', args: string[], env: Record<string, string>) => runCommand(`src/cli/${script}.ts`, args, env);

describe('npm run drill:restore refusals', () => {
  let from: BackupSource;
  let env: Record<string, string>;
  let backupId: string;
  const created: string[] = [];

  beforeAll(async () => {
    from = await seededSource();
    env = { DATABASE_URL: from.source.url, DATA_DIR: from.config.dataDir };
    backupId = (await takeBackup({ databaseUrl: from.source.url, backupKey: from.backupKey, store: from.store })).id;
  });
  afterAll(async () => {
    await dropAll(created);
    await from?.remove();
  });

  it('drill --database --backup: exits 1 naming the mismatch when a restored row was changed', async () => {
    const restored = scratchDatabaseUrl('changed');
    created.push(restored);
    await restoreBackup({ backupId, targetDatabaseUrl: restored, backupKey: from.backupKey, store: from.store });
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

  it('drill: exits 1 with the reason when the backup is refused', async () => {
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
  }, 30_000);
});
