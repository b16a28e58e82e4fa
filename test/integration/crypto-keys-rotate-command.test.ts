import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldCipher, LocalKeyProvider, tenantDataKeys } from '../../src/platform/crypto/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runCommand } from '../support/process.js';

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
    env = { DATABASE_URL: testDb.url, DATA_DIR: dataDir };
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
    const none = await keysRotate([], env);
    expect(none.code).toBe(1);
    expect(none.output).toMatch(/--tenant <ID>, or --all/);
    const both = await keysRotate(['--all', '--tenant', tenant], env);
    expect(both.code).toBe(1);
    const unknown = await keysRotate(['--tenant', newId()], env);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/has no data key .*is the id right\?/);
    expect(await versions()).toEqual(['1:retired', '2:retired', '3:active']);
  }, 60_000);
});
