import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFieldCipher,
  KEY_ROTATION,
  keyVersionOf,
  listEncryptedColumns,
  LocalKeyProvider,
  registerEncryptedColumn,
  enqueueKeyRotation,
  keyRotationJob,
  rotateAllTenants,
  rotateTenantKey,
  tenantDataKeys,
  type FieldCipher,
  type RotationCheckpoint,
  type RotationDeps,
} from '../../src/platform/crypto/index.js';
import { unregisterEncryptedColumn } from '../../src/platform/crypto/encrypted-columns.js';
import { newId } from '../../src/platform/db/columns.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testClock } from '../support/clock.js';
import { createJobRunner } from '../../src/platform/jobs/index.js';

/**
 * A scratch table with two encrypted columns, registered like a module would register its own,
 * filled for three tenants; then rotated, crashed and resumed against the real database.
 */
describe('key rotation', () => {
  let testDb: TestDatabase;
  let dataDir: string;
  let cipher: FieldCipher;
  let deps: RotationDeps;
  const alerts: { kind: string; details?: Record<string, unknown> }[] = [];
  const [tenantA, tenantB, tenantC] = [newId(), newId(), newId()];
  const secrets = new Map<string, { pan: string | null; bank: string }>();

  const TABLE = 'rotation_test_people';
  const COLUMNS = [
    { table: TABLE, column: 'pan_cipher', idColumn: 'id', tenantColumn: 'company_id' },
    { table: TABLE, column: 'bank_cipher', idColumn: 'id', tenantColumn: 'company_id' },
  ];

  async function query<T>(sqlText: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await testDb.database.pool.query(sqlText, params);
    return rows as T[];
  }

  async function insertPeople(tenantId: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const id = newId();
      const pan = i % 5 === 4 ? null /* 4 of 23 */ : `ABCDE${String(1000 + i)}F`; // some people have no PAN yet
      const bank = `00012345${String(i).padStart(4, '0')}`;
      secrets.set(id, { pan, bank });
      const panCipher = pan === null ? null : await cipher.encrypt(tenantId, { table: TABLE, column: 'pan_cipher', rowId: id }, pan);
      const bankCipher = await cipher.encrypt(tenantId, { table: TABLE, column: 'bank_cipher', rowId: id }, bank);
      await query(`INSERT INTO ${TABLE} (id, company_id, pan_cipher, bank_cipher) VALUES (?, ?, ?, ?)`, [id, tenantId, panCipher, bankCipher]);
    }
  }

  /** Decrypts every value of a tenant with a cold cipher; returns the key versions seen. */
  async function readAll(tenantId: string): Promise<number[]> {
    const reader = createFieldCipher({ db: testDb.database.db, keyProvider: deps.keyProvider, alert: () => {} });
    const rows = await query<{ id: string; pan_cipher: string | null; bank_cipher: string }>(
      `SELECT id, pan_cipher, bank_cipher FROM ${TABLE} WHERE company_id = ?`,
      [tenantId],
    );
    const versions: number[] = [];
    for (const row of rows) {
      const expected = secrets.get(row.id)!;
      if (row.pan_cipher !== null) {
        expect(await reader.decrypt(tenantId, { table: TABLE, column: 'pan_cipher', rowId: row.id }, row.pan_cipher)).toBe(expected.pan);
        versions.push(keyVersionOf(row.pan_cipher)!);
      } else {
        expect(expected.pan).toBeNull();
      }
      expect(await reader.decrypt(tenantId, { table: TABLE, column: 'bank_cipher', rowId: row.id }, row.bank_cipher)).toBe(expected.bank);
      versions.push(keyVersionOf(row.bank_cipher)!);
    }
    return versions;
  }

  async function keyVersions(tenantId: string) {
    return testDb.database.db
      .select({ version: tenantDataKeys.version, status: tenantDataKeys.status })
      .from(tenantDataKeys)
      .where(eq(tenantDataKeys.tenantId, tenantId))
      .orderBy(asc(tenantDataKeys.version));
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'bz-rotate-'));
    const keyProvider = new LocalKeyProvider({ dataDir, isProduction: false });
    // A short key cache: every rotation waits that long for other instances' cached versions to expire.
    cipher = createFieldCipher({ db: testDb.database.db, keyProvider, alert: (kind, details) => void alerts.push({ kind, details }), cache: { ttlMs: 50 } });
    for (const column of COLUMNS) registerEncryptedColumn(column);
    deps = { db: testDb.database.db, keyProvider, cipher, settleCheckMs: 10 };
    await query(`CREATE TABLE ${TABLE} (
      id char(36) NOT NULL PRIMARY KEY,
      company_id char(36) NOT NULL,
      pan_cipher varchar(255) NULL,
      bank_cipher varchar(255) NOT NULL,
      KEY ${TABLE}_company (company_id, id)
    )`);
    await insertPeople(tenantA, 23);
    await insertPeople(tenantB, 7);
    await insertPeople(tenantC, 4);
  });
  afterAll(async () => {
    for (const column of COLUMNS) unregisterEncryptedColumn(column.table, column.column);
    await testDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds the registered columns', () => {
    expect(listEncryptedColumns()).toEqual(expect.arrayContaining(COLUMNS));
  });

  it('re-encrypts every value of one tenant under a new version, reads working throughout', async () => {
    const panIndex = await cipher.blindIndex(tenantA, 'pan', 'ABCDE1000F');
    expect(new Set(await readAll(tenantA))).toEqual(new Set([1]));
    const mixes: number[][] = [];
    const result = await rotateTenantKey(deps, tenantA, {
      batchSize: 4,
      // Between batches the table holds both versions: every value must still read.
      afterBatch: async () => void mixes.push(await readAll(tenantA)),
    });
    expect(result).toEqual({ tenantId: tenantA, outcome: 'rotated', targetVersion: 2, rowsSeen: 19 + 23, rowsReencrypted: 19 + 23, rowsRejected: 0 });
    expect(mixes.some((versions) => versions.includes(1) && versions.includes(2))).toBe(true);
    expect(new Set(await readAll(tenantA))).toEqual(new Set([2]));
    expect(await keyVersions(tenantA)).toEqual([
      { version: 1, status: 'retired' },
      { version: 2, status: 'active' },
    ]);
    // New values go under the new version, and so do new blind indexes; look-ups still find the old form.
    expect(await cipher.currentVersion(tenantA)).toBe(2);
    expect(keyVersionOf(await cipher.encrypt(tenantA, { table: TABLE, column: 'pan_cipher', rowId: newId() }, 'X'))).toBe(2);
    expect(await cipher.blindIndex(tenantA, 'pan', 'ABCDE1000F')).toMatch(/^i2:/);
    expect(await cipher.blindIndexes(tenantA, 'pan', 'ABCDE1000F')).toEqual([panIndex, await cipher.blindIndex(tenantA, 'pan', 'ABCDE1000F')]);
    // Other tenants are untouched.
    expect(new Set(await readAll(tenantB))).toEqual(new Set([1]));
    expect(await keyVersions(tenantB)).toEqual([{ version: 1, status: 'active' }]);
  });

  it('resumes after a crash half-way without adding another version', async () => {
    let batches = 0;
    const crash = rotateTenantKey(deps, tenantA, {
      batchSize: 5,
      afterBatch: () => {
        if (++batches === 3) throw new Error('simulated crash after 3 batches');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    // Half-way: version 3 exists, version 2 is still active, and the table holds both.
    expect(await keyVersions(tenantA)).toEqual([
      { version: 1, status: 'retired' },
      { version: 2, status: 'active' },
      { version: 3, status: 'active' },
    ]);
    const halfway = await readAll(tenantA);
    expect(halfway.filter((v) => v === 3)).toHaveLength(15);
    expect(halfway.filter((v) => v === 2)).toHaveLength(42 - 15);

    const progress: string[] = [];
    const resumed = await rotateTenantKey(deps, tenantA, { batchSize: 5, onProgress: (p) => progress.push(`${p.column}:${p.batches}:${p.done}`) });
    expect(resumed).toMatchObject({ outcome: 'resumed', targetVersion: 3, rowsSeen: 42, rowsReencrypted: 42, rowsRejected: 0 });
    // bank_cipher (first in order) had 3 of its 5 batches done; it continued from batch 4.
    expect(progress[0]).toBe('bank_cipher:4:false');
    expect(new Set(await readAll(tenantA))).toEqual(new Set([3]));
    expect(await keyVersions(tenantA)).toEqual([
      { version: 1, status: 'retired' },
      { version: 2, status: 'retired' },
      { version: 3, status: 'active' },
    ]);
    // One job did it in two attempts; its checkpoint holds each column's cursor and counts.
    const [job] = await query<{ status: string; attempts: number; checkpoint: string }>(
      'SELECT status, attempts, checkpoint FROM jobs WHERE kind = ? AND tenant_id = ? AND dedupe_key LIKE ?',
      [KEY_ROTATION, tenantA, '%:v3'],
    );
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
    const checkpoint = JSON.parse(job!.checkpoint) as RotationCheckpoint;
    // Columns other modules registered in this process (employees') are visited too; this table's are the ones to read.
    const ours = checkpoint.columns.filter((c) => c.table === TABLE);
    expect(ours.map((c) => [c.column, c.done, c.rowsSeen, c.batches]).sort()).toEqual([
      ['bank_cipher', true, 23, 5],
      ['pan_cipher', true, 19, 4],
    ]);
  });

  it('resumes a crash that came right after the new key was added', async () => {
    const crash = rotateTenantKey(deps, tenantB, {
      batchSize: 100,
      afterBatch: () => {
        throw new Error('simulated crash in the first batch');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    expect((await keyVersions(tenantB)).map((k) => k.version)).toEqual([1, 2]);
    const resumed = await rotateTenantKey(deps, tenantB, { batchSize: 100 });
    expect(resumed).toMatchObject({ outcome: 'resumed', targetVersion: 2 });
    expect(await keyVersions(tenantB)).toEqual([
      { version: 1, status: 'retired' },
      { version: 2, status: 'active' },
    ]);
    expect(new Set(await readAll(tenantB))).toEqual(new Set([2]));
  });

  it('lets two rotators of one tenant end on a single new version (the second waits for the first)', async () => {
    // The second rotator starts while the first is mid-way (held after its first batch), so the
    // two really overlap however busy the machine is.
    let entered!: () => void;
    const firstIsMidway = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const firstRun = rotateTenantKey(deps, tenantC, {
      batchSize: 1,
      afterBatch: async () => {
        if (held) return;
        held = true;
        entered();
        await gate;
      },
    });
    await firstIsMidway;
    const secondRun = rotateTenantKey(deps, tenantC, { batchSize: 1 });
    await new Promise((r) => setTimeout(r, 50));
    release();
    const [first, second] = await Promise.all([firstRun, secondRun]);
    expect(first.targetVersion).toBe(2);
    expect(second.targetVersion).toBe(2);
    expect((await keyVersions(tenantC)).map((k) => `${k.version}:${k.status}`)).toEqual(['1:retired', '2:active']);
    expect(new Set(await readAll(tenantC))).toEqual(new Set([2]));
  });

  it('counts and alerts a value that does not decrypt, and still finishes', async () => {
    const [victim] = await query<{ id: string }>(`SELECT id FROM ${TABLE} WHERE company_id = ? ORDER BY id LIMIT 1`, [tenantC]);
    const [donor] = await query<{ bank_cipher: string }>(`SELECT bank_cipher FROM ${TABLE} WHERE company_id = ? ORDER BY id DESC LIMIT 1`, [tenantC]);
    await query(`UPDATE ${TABLE} SET bank_cipher = ? WHERE id = ?`, [donor!.bank_cipher, victim!.id]); // copied from another row
    alerts.length = 0;
    const result = await rotateTenantKey(deps, tenantC, { batchSize: 2 });
    expect(result).toMatchObject({ outcome: 'rotated', targetVersion: 3, rowsRejected: 1 });
    // Met by the first pass and again by the sweep (it is still under the old version): alerted by each, counted once.
    const alert = {
      kind: 'crypto.decrypt_failed',
      details: { tenantId: tenantC, table: TABLE, column: 'bank_cipher', rowId: victim!.id, reason: 'authentication_failed' },
    };
    expect(alerts).toEqual([alert, alert]);
  });

  it('rotates every tenant that has a key, and reports a tenant without one', async () => {
    const outcomes = await rotateAllTenants(deps, { batchSize: 50 });
    const byTenant = new Map(outcomes.map((o) => [o.tenantId, o]));
    expect(byTenant.get(tenantA)?.result).toMatchObject({ outcome: 'rotated', targetVersion: 4 });
    expect(byTenant.get(tenantB)?.result).toMatchObject({ outcome: 'rotated', targetVersion: 3 });
    expect(outcomes.every((o) => o.error === undefined)).toBe(true);
    expect(new Set(await readAll(tenantA))).toEqual(new Set([4]));
    expect(await rotateTenantKey(deps, newId(), { batchSize: 10 })).toMatchObject({ outcome: 'no_data_key' });
    await expect(rotateTenantKey(deps, tenantA, { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });

  it('does not report done until a sweep after the key cache lifetime finds no value below the new version', async () => {
    const tenantE = newId();
    await insertPeople(tenantE, 10);
    const clock = testClock(new Date('2026-12-01T12:00:00Z'));
    const now = () => clock.now().getTime();
    // Two app instances on one database: one runs the rotation, the other has version 1 cached for a minute.
    const instance = () => createFieldCipher({ db: testDb.database.db, keyProvider: deps.keyProvider, alert: () => {}, cache: { ttlMs: 60_000 }, now });
    const rotator = instance();
    const other = instance();
    expect(await other.currentVersion(tenantE)).toBe(1);
    /** The other instance changes the row with the lowest id: the rotation's cursor is already past it. */
    const writeBehind = async (bank: string) => {
      const [row] = await query<{ id: string }>(`SELECT id FROM ${TABLE} WHERE company_id = ? ORDER BY id LIMIT 1`, [tenantE]);
      const value = await other.encrypt(tenantE, { table: TABLE, column: 'bank_cipher', rowId: row!.id }, bank);
      await query(`UPDATE ${TABLE} SET bank_cipher = ? WHERE id = ?`, [value, row!.id]);
      secrets.set(row!.id, { ...secrets.get(row!.id)!, bank });
      return keyVersionOf(value);
    };

    let settling!: (until: Date) => void;
    const waiting = new Promise<Date>((resolve) => (settling = resolve));
    let finished = false;
    let wroteBehind = false;
    const rotation = rotateTenantKey({ ...deps, cipher: rotator, clock }, tenantE, {
      batchSize: 3,
      afterBatch: async (progress) => {
        if (progress.column === 'pan_cipher' && !wroteBehind) wroteBehind = (await writeBehind('999900000001')) === 1;
      },
      onSettling: (_tenant, until) => settling(until),
    }).finally(() => (finished = true));
    const until = await Promise.race([waiting, rotation.then(() => undefined)]);
    expect(wroteBehind).toBe(true);
    // The first pass is over, yet the rotation is not done: the other instance may still write under version 1.
    expect(finished).toBe(false);
    expect(until).toEqual(new Date(now() + 60_000 + 1_000));
    expect(await writeBehind('999900000002')).toBe(1);
    clock.advance(30_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(finished).toBe(false);

    clock.advance(31_000); // every instance's cached version has expired: the sweep finds the late value
    const result = await rotation;
    expect(result).toMatchObject({ outcome: 'rotated', targetVersion: 2, rowsRejected: 0, rowsReencrypted: 18 + 1 });
    expect(new Set(await readAll(tenantE))).toEqual(new Set([2]));
    expect(await other.currentVersion(tenantE)).toBe(2);
  });

  it('is finished by another instance when the one running it dies', async () => {
    const tenantD = newId();
    await insertPeople(tenantD, 12);
    const clock = testClock(new Date('2026-12-01T10:00:00Z'));
    const laterClock = testClock(new Date('2026-12-01T10:02:00Z'));
    const dying = createJobRunner({ db: testDb.database.db, clock, pollMs: false, leaseMs: 60_000 });
    const survivor = createJobRunner({ db: testDb.database.db, clock: laterClock, pollMs: false, leaseMs: 60_000 });
    let batches = 0;
    dying.register(KEY_ROTATION, keyRotationJob(deps, { afterBatch: async () => void (++batches === 2 && (await dying.stop({ abandon: true }))) }));
    survivor.register(KEY_ROTATION, keyRotationJob(deps));
    const jobId = (await enqueueKeyRotation(dying, testDb.database.db, tenantD, 4))!;
    expect(await dying.runJob(jobId)).toEqual({ status: 'abandoned' });
    expect((await readAll(tenantD)).filter((v) => v === 2)).toHaveLength(8);
    expect(await survivor.progress(tenantD, jobId)).toMatchObject({ status: 'running', progress: { done: 8, total: 22 } });

    // The command run again meanwhile finds the same job, held by the dead instance, and does not add a version.
    expect(await enqueueKeyRotation(survivor, testDb.database.db, tenantD, 4)).toBe(jobId);
    expect(await survivor.runUntilIdle()).toBe(1);
    expect(await survivor.progress(tenantD, jobId)).toMatchObject({
      status: 'done',
      attempts: 2,
      result: { outcome: 'resumed', targetVersion: 2, rowsSeen: 22, rowsReencrypted: 22, rowsRejected: 0 },
    });
    expect((await keyVersions(tenantD)).map((k) => `${k.version}:${k.status}`)).toEqual(['1:retired', '2:active']);
    expect(new Set(await readAll(tenantD))).toEqual(new Set([2]));
  });
});
