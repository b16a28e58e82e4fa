/**
 * What the commands in src/cli/ share.
 *
 * Each other file in this folder is one command: a process entry that the production image runs as
 * `node dist/cli/<name>.js …` (the Dockerfile copies dist/ whole, so nothing else lists them) and that
 * development runs through tsx as an npm script of the same purpose:
 *   keys-rotate.ts    npm run keys:rotate     re-encrypt a tenant's values under a new data key version
 *   keys-rewrap.ts    npm run keys:rewrap     move a tenant's data keys to a new master key (KMS key, key file)
 *   backup.ts         npm run backup          encrypted logical backup into object storage
 *   drill-restore.ts  npm run drill:restore   restore a backup into a new database and verify it
 * A new command (such as creating platform staff accounts) is one more file here and one more npm script.
 *
 * A command tags each line it prints with its name (progress on stdout, failures on stderr), never
 * prints a database password, and ends its process itself: exit 0 when it did all it was asked, 1
 * otherwise, after closing what it opened (a pool, a local server it started), so that an open socket
 * cannot keep a one-off ECS task running.
 */
import type { Config } from '../config.js';
import { withDatabase } from '../platform/db/admin.js';
import { findOrStartLocalServer } from '../platform/db/local-server.js';

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

export function createCommand(tag: string): Command {
  const say = (line: string) => void process.stdout.write(`[${tag}] ${line}\n`);
  const fail = (line: string) => void process.stderr.write(`[${tag}] ${line}\n`);
  const closers: (() => Promise<void>)[] = [];

  return {
    say,
    fail,
    closeAtExit: (close) => void closers.push(close),

    async databaseUrl(config) {
      let url = config.databaseUrl;
      if (!url) {
        const localServer = await findOrStartLocalServer(config.dataDir, say);
        closers.push(() => localServer.stop());
        url = withDatabase(localServer.serverUrl, 'bizlumo');
      }
      say(`database: ${hidePassword(url)}`);
      return url;
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
