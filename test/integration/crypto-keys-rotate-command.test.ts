import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldCipher, enqueueKeyRotation, KEY_ROTATION, LocalKeyProvider, tenantDataKeys } from '../../src/platform/crypto/index.js';
import { createJobRunner, jobs } from '../../src/platform/jobs/index.js';
import { systemClock } from '../../src/platform/clock/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { auditEvents } from '../../src/modules/audit/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runCommand, runScript } from '../support/process.js';

/** `npm run keys:rotate -- …` as an operator runs it, against this file's database. */
const keysRotate = (args: string[], env: Record<string, string>) => runCommand('src/cli/keys-rotate.ts', args, env);

describe('npm run keys:rotate', () => {
  let testDb: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const tenant = newId();
  const where = { table: 'employees', column: 'pan_cipher', rowId: newId() };
  let value: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'bz-keys-cmd-'));
    // A one-second key cache: each rotation waits that long (plus a second's margin) before its final sweep.
    env = { DATABASE_URL: testDb.url, DATA_DIR: dataDir, KEY_CACHE_SECONDS: '1' };
    const keyProvider = new LocalKeyProvider({ dataDir, isProduction: false });
    value = await createFieldCipher({ db: testDb.database.db, keyProvider, alert: () => {} }).encrypt(tenant, where, 'ABCDE1234F');
  });
  afterAll(async () => {
    await testDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const versions = async () =>
    (
      await testDb.database.db
        .select({ version: tenantDataKeys.version, status: tenantDataKeys.status })
        .from(tenantDataKeys)
        .where(eq(tenantDataKeys.tenantId, tenant))
        .orderBy(asc(tenantDataKeys.version))
    ).map((k) => `${k.version}:${k.status}`);

  it('rotates one tenant, prints what it did, and exits 0; old values still read', async () => {
    const run = await keysRotate(['--tenant', tenant, '--batch-size', '10'], env);
    expect(run.output).toContain(`tenant ${tenant}: rotated to key version 2`);
    expect(run.code).toBe(0);
    expect(await versions()).toEqual(['1:retired', '2:active']);
    const keyProvider = new LocalKeyProvider({ dataDir, isProduction: false });
    expect(await createFieldCipher({ db: testDb.database.db, keyProvider, alert: () => {} }).decrypt(tenant, where, value)).toBe('ABCDE1234F');
  }, 60_000);

  it('rotates all tenants with --all', async () => {
    const run = await keysRotate(['--all'], env);
    expect(run.output).toContain(`tenant ${tenant}: rotated to key version 3`);
    expect(run.code).toBe(0);
    expect(await versions()).toEqual(['1:retired', '2:retired', '3:active']);
  }, 60_000);

  it('exits non-zero with a reason for bad arguments or a tenant without keys', async () => {
    // Three separate processes, started together: each pays tsx's start-up, none waits for another.
    const [none, both, unknown] = await Promise.all([
      keysRotate([], env),
      keysRotate(['--all', '--tenant', tenant], env),
      keysRotate(['--tenant', newId()], env),
    ]);
    expect(none.code).toBe(1);
    expect(none.output).toMatch(/--tenant <ID>, or --all/);
    expect(both.code).toBe(1);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/has no data key .*is the id right\?/);
    expect(await versions()).toEqual(['1:retired', '2:retired', '3:active']);
  }, 60_000);

  it('waits for a rotation another process holds, and takes it over when that process dies', async () => {
    const db = testDb.database.db;
    // Another process (a server, an earlier run) is rotating this tenant, its lease renewed while it lives.
    const holder = createJobRunner({ db, clock: systemClock, pollMs: false, leaseMs: 2000, heartbeatMs: 200 });
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    let release!: () => void;
    holder.register(KEY_ROTATION, async () => {
      holding();
      await new Promise<void>((resolve) => (release = resolve));
    });
    const jobId = (await enqueueKeyRotation(holder, db, tenant, 10))!;
    const holderRun = holder.runJob(jobId);
    await held;

    const command = runScript('src/cli/keys-rotate.ts', { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, ['--tenant', tenant]);
    await command.waitFor(/its rotation is running elsewhere/);
    // The holder dies: no more heartbeats, its claim left on the row until the lease runs out.
    await holder.stop({ abandon: true });
    release();
    expect(await holderRun).toEqual({ status: 'abandoned' });
    expect(await command.exited()).toBe(0);
    expect(command.output()).toContain(`tenant ${tenant}: rotated to key version 4`);
    expect(await versions()).toEqual(['1:retired', '2:retired', '3:retired', '4:active']);
    const [job] = await db.select().from(jobs).where(eq(jobs.id, jobId));
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
  }, 60_000);

  it('deletes the retired key versions nothing needs with --delete-retired, audited as the system', async () => {
    const run = await keysRotate(['--tenant', tenant, '--delete-retired'], env);
    expect(run.output).toContain(`tenant ${tenant}: rotated to key version 5`);
    expect(run.output).toContain(`tenant ${tenant}: retired key versions deleted: 1, 2, 3, 4`);
    expect(run.code).toBe(0);
    expect(await versions()).toEqual(['5:active']);
    const [entry] = await testDb.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant), eq(auditEvents.action, 'crypto.data_keys_deleted')));
    expect(entry).toMatchObject({ actorKind: 'system', actorId: 'keys:rotate', targetId: tenant });
    expect(JSON.parse(entry!.details!)).toEqual({ versions: [1, 2, 3, 4] });
  }, 60_000);
});
