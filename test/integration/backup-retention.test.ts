import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalObjectStore, PLATFORM, type ObjectStore, type PutOptions } from '../../src/platform/storage/index.js';
import { listBackups, localBackupMasterKey, pruneBackups, takeBackup } from '../../src/platform/backup/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runCommand } from '../support/process.js';

const DAY = 24 * 3600_000;

/** Logical backups are kept 30 days: locked against deletion that long, then pruned (and the pruning audited). */
describe('backup retention', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bz-retention-'));
  const store = new LocalObjectStore({ dataDir });
  const backupKey = localBackupMasterKey({ dataDir, isProduction: false });
  const backupAt = (daysAgo: number, on: ObjectStore = store) =>
    takeBackup({ databaseUrl: db.url, backupKey, store: on, now: () => new Date(Date.now() - daysAgo * DAY) });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('locks both objects of a backup until 30 days after it was taken', async () => {
    const puts: { key: string; options?: PutOptions }[] = [];
    const recording: ObjectStore = {
      ...store,
      put: (owner, key, body, options) => (puts.push({ key, options }), store.put(owner, key, body, options)),
      get: (...args) => store.get(...args),
      getStream: (...args) => store.getStream(...args),
      delete: (...args) => store.delete(...args),
      list: (...args) => store.list(...args),
    };
    const metadata = await backupAt(0, recording);
    const until = new Date(Date.parse(metadata.takenAt) + 30 * DAY);
    expect(puts.map((p) => [p.key, p.options?.retainUntil])).toEqual([
      [metadata.object, until],
      [`backups/${metadata.id}/metadata.json`, until],
    ]);
    await store.delete(PLATFORM, metadata.object);
    await store.delete(PLATFORM, `backups/${metadata.id}/metadata.json`);
  });

  it('npm run backup prunes backups older than 30 days, never the newest, and audits each as the system', async () => {
    const old = [await backupAt(45), await backupAt(31)];
    const recent = await backupAt(29);
    const result = await runCommand('src/cli/backup.ts', [], { DATABASE_URL: db.url, DATA_DIR: dataDir });
    expect(result.code, result.output).toBe(0);
    const made = /\[backup\] backup id: (\S+)\n$/.exec(result.output)![1]!;
    expect(await listBackups(store)).toEqual([recent.id, made]);
    expect(await store.list(PLATFORM, `backups/${old[0]!.id}/`)).toEqual([]);
    for (const backup of old) expect(result.output).toContain(`pruned backup ${backup.id} taken ${backup.takenAt}`);

    const connection = await mysql.createConnection({ uri: db.url });
    try {
      const [rows] = await connection.query(
        "SELECT actor_kind, actor_id, action, target_type, target_id, details FROM audit_events WHERE action = 'backup.pruned' ORDER BY target_id",
      );
      expect(rows).toEqual(
        old.map((backup) => ({
          actor_kind: 'system',
          actor_id: 'backup-prune',
          action: 'backup.pruned',
          target_type: 'backup',
          target_id: backup.id,
          details: JSON.stringify({ takenAt: backup.takenAt, retentionDays: 30 }),
        })),
      );
    } finally {
      await connection.end();
    }
  }, 60_000);

  it('keeps the newest complete backup however old it is', async () => {
    for (const id of await listBackups(store)) {
      await store.delete(PLATFORM, `backups/${id}/metadata.json`);
      await store.delete(PLATFORM, `backups/${id}/dump.sql.enc`);
    }
    const only = await backupAt(60);
    const pruned = await pruneBackups({ store, now: new Date(), record: async () => {} });
    expect(pruned).toEqual([]);
    expect(await listBackups(store)).toEqual([only.id]);
  });

  it('a metadata.json edited to an old time does not get a recent backup pruned', async () => {
    const recent = await backupAt(2);
    await backupAt(0);
    const key = `backups/${recent.id}/metadata.json`;
    const edited = { ...JSON.parse((await store.get(PLATFORM, key)).toString()), takenAt: new Date(Date.now() - 90 * DAY).toISOString() };
    await store.put(PLATFORM, key, Buffer.from(JSON.stringify(edited)));
    const lines: string[] = [];
    const pruned = await pruneBackups({ store, now: new Date(), record: async () => {}, log: (line) => lines.push(line) });
    expect(pruned.map((b) => b.id)).not.toContain(recent.id);
    expect(await listBackups(store)).toContain(recent.id);
    expect(lines).toContain(`kept backup ${recent.id}: its metadata is unreadable or its time disagrees with its id`);
  });
});
