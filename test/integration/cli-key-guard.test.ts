import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLocalDatabase } from '../../src/cli/command.js';
import { runCommand } from '../support/process.js';

/**
 * Issue 16, item 1: a command that touches keys never falls back to the local key file against a
 * database that is not the local development one. The host below does not resolve: the command must
 * stop on the missing setting before it tries to reach it, and leave no key file behind.
 */
const REMOTE = 'mysql://bizlumo_admin:pw@db.prod.invalid:3306/bizlumo';

describe('commands that touch keys, against a database that is not the local one', () => {
  it.each([
    ['keys:rotate', 'src/cli/keys-rotate.ts', ['--all'], { DATABASE_URL: REMOTE }],
    ['keys:rewrap', 'src/cli/keys-rewrap.ts', ['--all'], { DATABASE_URL: REMOTE }],
    ['backup', 'src/cli/backup.ts', [], { DATABASE_URL: REMOTE }],
    ['drill:restore (restore)', 'src/cli/drill-restore.ts', [], { DATABASE_URL: REMOTE }],
    ['drill:restore --database', 'src/cli/drill-restore.ts', ['--database', REMOTE], {}],
  ])(
    '%s stops and names KEY_PROVIDER=kms and KMS_KEY_ID instead of using the local key file',
    async (_name, script, args, env) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'bz-keyguard-'));
      const { code, output } = await runCommand(script, args, { ...env, DATA_DIR: dataDir });
      expect(code).toBe(1);
      expect(output).toMatch(
        /db\.prod\.invalid:3306\/bizlumo is not the local development database, and KEY_PROVIDER is not kms: set KEY_PROVIDER=kms and KMS_KEY_ID/,
      );
      expect(output).not.toContain(':pw@');
      expect(readdirSync(dataDir, { recursive: true })).toEqual([]);
    },
    60_000,
  );
});

describe('isLocalDatabase', () => {
  it('knows the loopback names and nothing else', () => {
    for (const url of ['mysql://root@127.0.0.1:3306/bizlumo', 'mysql://root@localhost/bizlumo', 'mysql://root@[::1]:3307/x', 'mysql://r@127.0.0.2/x']) {
      expect(isLocalDatabase(url), url).toBe(true);
    }
    for (const url of ['mysql://root@db.internal:3306/bizlumo', 'mysql://root@10.0.0.5/x', 'mysql://root@localhost.evil.example/x', 'not a url']) {
      expect(isLocalDatabase(url), url).toBe(false);
    }
  });
});
