/**
 * What the commands in src/cli/ share.
 *
 * Each other file in this folder is one command: a process entry that the production image runs as
 * `node dist/cli/<name>.js …` (the Dockerfile copies dist/ whole, so nothing else lists them) and that
 * development runs through tsx as an npm script of the same purpose:
 *   migrate.ts        npm run migrate         apply the migrations and the runtime user's grants (before a deploy)
 *   keys-rotate.ts    npm run keys:rotate     re-encrypt a tenant's values under a new data key version
 *   keys-rewrap.ts    npm run keys:rewrap     move a tenant's data keys to a new master key (KMS key, key file)
 *   backup.ts         npm run backup          encrypted logical backup into object storage
 *   drill-restore.ts  npm run drill:restore   restore a backup into a new database and verify it
 *   payroll-explain.ts npm run payroll:explain  one employee-month's statutory breakdown as JSON (pure; bad input
 *                     exits 2 with one line naming the field, per specs/payroll-india.md §9, so it does not use run())
 * A new command (such as creating platform staff accounts) is one more file here and one more npm script.
 *
 * A command tags each line it prints with its name (progress on stdout, failures on stderr), never
 * prints a database password, and ends its process itself: exit 0 when it did all it was asked, 1
 * otherwise, after closing what it opened (a pool, a local server it started), so that an open socket
 * cannot keep a one-off ECS task running.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { systemClock } from '../platform/clock/index.js';
import { systemContext } from '../platform/context/index.js';
import { createKeyProvider, type KeyProvider } from '../platform/crypto/index.js';
import { createBackupMasterKey, type BackupMasterKey } from '../platform/backup/index.js';
import { withDatabase } from '../platform/db/admin.js';
import { createDatabase, type Db } from '../platform/db/client.js';
import { findOrStartLocalServer } from '../platform/db/local-server.js';
import { prepareSchema } from '../platform/db/migrate.js';
import { createAudit } from '../modules/audit/index.js';

type KeysConfig = Pick<Config, 'databaseUrl' | 'databaseTls' | 'dataDir' | 'isProduction' | 'keyProvider' | 'aws'>;

/** Writes one audit entry for a tenant as the system (the command's name and one request id per run), in `tx`. */
export type RecordAsSystem = (
  tx: Db,
  tenantId: string,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown>,
) => Promise<void>;

export interface Command {
  /** A progress line on stdout, tagged `[<tag>]`. */
  say(line: string): void;
  /** A failure line on stderr, tagged `[<tag>]`. */
  fail(line: string): void;
  /**
   * DATABASE_URL when set (always, in production); otherwise the local development server's `bizlumo`
   * database, the server started if need be and stopped at exit. Prints which, without the password.
   */
  databaseUrl(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<string>;
  /**
   * The key provider for work on `databaseUrl`. The local key file belongs to the development database
   * on this machine: against any other database it would mint keys nobody else holds (or fail to read
   * real ones), so the command stops and names the settings it needs instead of falling back to it.
   */
  keyProviderFor(config: Pick<Config, 'keyProvider' | 'dataDir' | 'isProduction' | 'aws'>, databaseUrl: string): KeyProvider;
  /** The backups' own master key for a backup of (or restore onto) `databaseUrl`, with the same refusal of the local key file. */
  backupKeyFor(config: Pick<Config, 'keyProvider' | 'backupKmsKeyId' | 'dataDir' | 'isProduction' | 'aws'>, databaseUrl: string): BackupMasterKey;
  /**
   * The start-up the key commands share: the database (databaseUrl), the key provider for it
   * (keyProviderFor), the schema checked (in production the command runs as the runtime user, which may
   * not migrate: a database behind the build is refused), a pool closed at exit.
   */
  openKeysDatabase(config: KeysConfig, poolSize: number): Promise<{ url: string; keyProvider: KeyProvider; db: Db }>;
  /** Audits as the system, in the name of `command`; one request id for the whole run. */
  recordAsSystem(command: string): RecordAsSystem;
  /** Something to close before the process exits, however the command ended (last registered, first closed). */
  closeAtExit(close: () => Promise<void>): void;
  /**
   * Runs the command's work and exits with the code it returns; an error it throws is printed as
   * `<failure>: <message>` and exits 1.
   */
  run(failure: string, work: () => Promise<number>): Promise<never>;
}

/**
 * `mysql://user:***@host/…`: for printing a URL that may carry a password. Everything up to the last `@`
 * before the path is the password (a URL parser reads an unescaped `@` in a password the same way).
 */
export function hidePassword(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^/]*@/, '//$1:***@');
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** A database on this machine (the development one), judged by the URL's host alone. */
export function isLocalDatabase(databaseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(databaseUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function refuseLocalKeyFile(config: Pick<Config, 'keyProvider'>, databaseUrl: string, alsoNeeded = ''): void {
  if (config.keyProvider.kind === 'local' && !isLocalDatabase(databaseUrl)) {
    throw new Error(
      `${hidePassword(databaseUrl)} is not the local development database, and KEY_PROVIDER is not kms: set KEY_PROVIDER=kms and KMS_KEY_ID${alsoNeeded} (the local key file is only for a database on this machine)`,
    );
  }
}

export function createCommand(tag: string): Command {
  const say = (line: string) => void process.stdout.write(`[${tag}] ${line}\n`);
  const fail = (line: string) => void process.stderr.write(`[${tag}] ${line}\n`);
  const closers: (() => Promise<void>)[] = [];

  const keyProviderFor: Command['keyProviderFor'] = (config, databaseUrl) => {
    refuseLocalKeyFile(config, databaseUrl);
    return createKeyProvider(config);
  };

  async function databaseUrl(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<string> {
    let url = config.databaseUrl;
    if (!url) {
      const localServer = await findOrStartLocalServer(config.dataDir, say);
      closers.push(() => localServer.stop());
      url = withDatabase(localServer.serverUrl, 'bizlumo');
    }
    say(`database: ${hidePassword(url)}`);
    return url;
  }

  return {
    say,
    fail,
    closeAtExit: (close) => void closers.push(close),
    keyProviderFor,
    databaseUrl,

    async openKeysDatabase(config, poolSize) {
      const url = await databaseUrl(config);
      const keyProvider = keyProviderFor(config, url);
      await prepareSchema({ url, tls: config.databaseTls, isProduction: config.isProduction });
      const database = createDatabase({ url, poolSize, tls: config.databaseTls });
      closers.push(() => database.close());
      return { url, keyProvider, db: database.db };
    },

    recordAsSystem(command) {
      const audit = createAudit({ clock: systemClock });
      const requestId = randomUUID();
      return (tx, tenantId, action, target, details) => audit.recordFor(tx, systemContext(command, requestId, tenantId), action, target, details);
    },

    backupKeyFor(config, databaseUrl) {
      refuseLocalKeyFile(config, databaseUrl, " (and BACKUP_KMS_KEY_ID, the backups' own key)");
      return createBackupMasterKey(config);
    },

    async run(failure, work) {
      let exitCode = 1;
      try {
        exitCode = await work();
      } catch (error) {
        fail(`${failure}: ${(error as Error).message}`);
        exitCode = 1;
      }
      // What the work did stands whether or not a close succeeds; a failed close is only reported.
      for (const close of closers.reverse()) {
        await close().catch((error: Error) => fail(`while closing: ${error.message}`));
      }
      process.exit(exitCode);
    },
  };
}
