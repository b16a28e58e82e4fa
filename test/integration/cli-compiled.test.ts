import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl, withDatabase } from '../../src/platform/db/admin.js';
import { PLATFORM } from '../../src/platform/storage/index.js';
import { listBackups, type DrillReport } from '../../src/platform/backup/index.js';
import { buildImageLayout, type ImageLayout } from '../support/image.js';
import { runCompiledCommand } from '../support/process.js';
import { databaseExists, dropAll, seededSource, type BackupSource } from '../support/backup.js';

/**
 * The commands as the production image runs them: `node dist/cli/<name>.js …` from an /app holding the
 * compiled dist/ and no sources (built once for this file), against this file's demo database. The tsx
 * runs of the same commands, with their refusals and failures, are in *-command.test.ts.
 */
describe('compiled commands, run with node as in the image', () => {
  let image: ImageLayout;
  let from: BackupSource;
  let env: Record<string, string>;
  let backupId: string;
  const created: string[] = [];
  const runtimeUser = `bz_cli_${randomBytes(4).toString('hex')}`;
  const run = (command: 'migrate' | 'keys-rotate' | 'keys-rewrap' | 'backup' | 'drill-restore', args: string[] = [], extraEnv: Record<string, string> = {}) =>
    runCompiledCommand(image.appDir, command, args, { ...env, ...extraEnv });
  const asServerRoot = async (statement: string, values: string[]) => {
    const connection = await mysql.createConnection(parseDatabaseUrl(from.source.url).serverUrl);
    await connection.query(statement, values).finally(() => connection.end());
  };

  beforeAll(async () => {
    [image, from] = await Promise.all([buildImageLayout(), seededSource()]);
    env = { DATABASE_URL: from.source.url, DATA_DIR: from.config.dataDir, KEY_CACHE_SECONDS: '1' };
  }, 180_000);
  afterAll(async () => {
    if (from) await asServerRoot('DROP USER IF EXISTS ?@?', [runtimeUser, '%']);
    await dropAll(created);
    await from?.remove();
    image?.remove();
  });

  it('has every command in dist/cli and no sources beside it', () => {
    const commands = readdirSync(path.join(image.appDir, 'dist', 'cli')).filter((file) => file.endsWith('.js'));
    expect(commands).toEqual(expect.arrayContaining(['backup.js', 'command.js', 'drill-restore.js', 'keys-rewrap.js', 'keys-rotate.js', 'migrate.js']));
    expect(existsSync(path.join(image.appDir, 'src'))).toBe(false);
  });

  it('migrate: finds the migrations from dist, grants the runtime user, warns of its missing rotation clone, exits 0; a missing user exits 1', async () => {
    await asServerRoot('CREATE USER ?@? IDENTIFIED BY ?', [runtimeUser, '%', randomBytes(12).toString('hex')]);
    const result = await run('migrate', [], { RUNTIME_DB_USER: `${runtimeUser},${runtimeUser}_clone` });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`[migrate] granted ${runtimeUser}@% row access, table by table`);
    expect(result.output).toContain(`[migrate] warning: runtime database user ${runtimeUser}_clone does not exist yet`);
    expect(result.output).toMatch(new RegExp(`\\[migrate\\] done: \\d+ migrations; runtime users granted: '${runtimeUser}'@'%'\\n$`));

    const refused = await run('migrate', [], { RUNTIME_DB_USER: 'bz_nobody_here' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('[migrate] migrate failed: RUNTIME_DB_USER: runtime database user bz_nobody_here does not exist');
  }, 60_000);

  it('keys-rotate: finds the migrations and the registered encrypted columns from dist, rotates a tenant, exits 0', async () => {
    const tenant = from.seed.companies[0]!.tenantId;
    const result = await run('keys-rotate', ['--tenant', tenant]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/\[keys\] encrypted columns: .*employees\.pan_cipher/);
    expect(result.output).toContain(`[keys] tenant ${tenant}: rotated to key version 2`);
  }, 60_000);

  it('keys-rewrap: finds every tenant already under the configured master key, exits 0', async () => {
    const result = await run('keys-rewrap', ['--all']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`[keys] tenant ${from.seed.companies[0]!.tenantId}: already under local:`);
  }, 60_000);

  it('backup: takes an encrypted backup, prints its id last, exits 0', async () => {
    const result = await run('backup');
    expect(result.code, result.output).toBe(0);
    backupId = /\[backup\] backup id: (\S+)\n$/.exec(result.output)?.[1] ?? '';
    expect(await listBackups(from.store)).toEqual([backupId]);
    expect(result.output).toMatch(/snapshot shared/);
  }, 60_000);

  it('drill-restore: restores that backup, decrypts sensitive fields of every tenant, fails only on the audit chain it cannot check yet (exit 1); bad arguments exit 1', async () => {
    // No module registers an audit chain verifier yet, and a skipped check fails the drill.
    const result = await run('drill-restore');
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/\[drill\] drill \S+ \(restore\): FAIL/);
    expect([...result.output.matchAll(/^\[drill\] {3}(?:FAIL|skip) ([^:]+):/gm)].map((m) => m[1])).toEqual(['audit hash chain']);
    expect(result.output).toMatch(/ok {3}recovery point: .* within the 24 h promised/);
    expect(result.output).toMatch(/ok {3}recovery time: .* within the 4 h promised/);
    for (const company of from.seed.companies) expect(result.output).toContain(`ok   sensitive fields of tenant ${company.tenantId}`);
    expect(result.output).toMatch(/achieved RPO: [\d.]+ s \(age of the backup/);
    expect(result.output).toMatch(/achieved RTO: [\d.]+ s/);
    const reportKey = /report stored at (drills\/\S+\.json)/.exec(result.output)![1]!;
    const report = JSON.parse((await from.store.get(PLATFORM, reportKey)).toString()) as DrillReport;
    expect(report).toMatchObject({ result: 'fail', mode: 'restore', backup: { id: backupId }, target: { kept: true } });
    created.push(withDatabase(parseDatabaseUrl(from.source.url).serverUrl, report.target.database));
    expect(await databaseExists(created.at(-1)!)).toBe(true); // kept for investigation, as after any failed drill

    const refused = await run('drill-restore', ['--backup', '../x']);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/\[drill\] drill failed: --backup must be a backup id/);
  }, 60_000);
});
