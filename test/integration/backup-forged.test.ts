import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalKeyProvider } from '../../src/platform/crypto/index.js';
import { LocalObjectStore } from '../../src/platform/storage/index.js';
import { BackupRefused, backupKeyContext, localBackupMasterKey, restoreBackup, type RefusalReason } from '../../src/platform/backup/index.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { databaseExists, dropAll, forgeBackup } from '../support/backup.js';

/**
 * The app's role may write under the backups prefix and may make field data keys. A backup it forges
 * must not be restored, and a dump carrying client commands must not run them on the restore host.
 */
describe('a restore does not trust what the app could have written', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bz-forged-'));
  const store = new LocalObjectStore({ dataDir });
  const fieldKeys = new LocalKeyProvider({ dataDir, isProduction: false });
  const marker = path.join(tmpdir(), `bz-forged-${randomBytes(6).toString('hex')}`);
  const targets: string[] = [];
  const hostileDump = `CREATE TABLE innocent (id int primary key);\n\\! touch ${marker}\nINSERT INTO innocent VALUES (1);\n`;

  afterAll(async () => {
    await dropAll(targets);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(marker, { force: true });
  });

  const backupKey = localBackupMasterKey({ dataDir, isProduction: false });
  /** The backup's data key as a genuine backup makes it. */
  const backupKeyOf = async (id: string) => ({ ...(await backupKey.newDataKey(id)), context: backupKeyContext(id) });
  /** What the app role can make: a field data key, with the context the old backups used or the one restore expects. */
  const fieldKeyAs = (context: (id: string) => unknown) => async (id: string) => ({ ...(await fieldKeys.generateDataKey('_backup')), context: context(id) });

  async function attempt(backupId: string): Promise<{ error: unknown; target: string }> {
    const target = scratchDatabaseUrl('forged');
    targets.push(target);
    const error = await restoreBackup({ backupId, targetDatabaseUrl: target, backupKey, store }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, target };
  }

  async function expectRefused(backupId: string, reason: RefusalReason, message: RegExp) {
    const { error, target } = await attempt(backupId);
    expect(existsSync(marker), 'the shell command in the dump ran').toBe(false);
    expect(error).toBeInstanceOf(BackupRefused);
    expect((error as BackupRefused).reason).toBe(reason);
    expect((error as BackupRefused).message).toMatch(message);
    expect(await databaseExists(target)).toBe(false);
  }

  it('a dump with a shell escape (\\!) in a backup under the backup key: the command does not run, nothing is kept', async () => {
    const id = await forgeBackup(store, backupKeyOf, hostileDump);
    await expectRefused(id, 'load_failed', /was dropped/);
  });

  it('a backup whose data key the app could make (the field key, tenant "_backup") is refused, whatever context its metadata names', async () => {
    const asBefore = await forgeBackup(
      store,
      fieldKeyAs(() => '_backup'),
      hostileDump,
    );
    await expectRefused(asBefore, 'key_context', /made under the key context "_backup", not .*logical-backup/);
    const asExpected = await forgeBackup(
      store,
      fieldKeyAs((id) => ({ purpose: 'logical-backup', backup: id })),
      hostileDump,
    );
    await expectRefused(asExpected, 'foreign_key', /does not unwrap under the backup key/);
  });

  it('a client without --sandbox (an older MariaDB, or MySQL) is refused before the target is created', async () => {
    const id = await forgeBackup(store, backupKeyOf, 'CREATE TABLE innocent (id int primary key);\n');
    const bin = mkdtempSync(path.join(tmpdir(), 'bz-old-client-'));
    writeFileSync(path.join(bin, 'mariadb'), '#!/bin/sh\necho "  --batch             Don\'t use history file."\n', { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${saved}`;
    try {
      await expectRefused(id, 'unsafe_client', /does not support --binary-mode --sandbox: .* could run a shell command on this host/);
    } finally {
      process.env.PATH = saved;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
