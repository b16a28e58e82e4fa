import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { trustedCertificates, type DatabaseTls } from '../db/tls.js';

/**
 * The MySQL/MariaDB command-line clients the backup drives: `mariadb-dump`/`mysqldump` to take the
 * dump and `mariadb`/`mysql` to load it. Credentials go in a temporary option file (0600 in a 0700
 * folder, removed afterwards), never on the command line where `ps` would show them. Production's image
 * installs Debian's `mariadb-client` (Dockerfile) for them.
 */

export class MissingTool extends Error {
  constructor(names: string[]) {
    super(`None of ${names.join(', ')} is on PATH. Install the database client tools (Debian: apt-get install -y mariadb-client).`);
    this.name = 'MissingTool';
  }
}

/** The first of `names` on PATH (MariaDB's own names first: on MariaDB 11 the mysql* names are gone). */
export function findTool(names: string[]): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin', '/usr/local/mysql/bin'];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  throw new MissingTool(names);
}

export const dumpTool = () => findTool(['mariadb-dump', 'mysqldump']);
export const clientTool = () => findTool(['mariadb', 'mysql']);

/** Flags for a dump that is consistent without blocking writers and restores byte for byte. */
export const DUMP_FLAGS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--hex-blob',
  '--skip-lock-tables',
  '--default-character-set=utf8mb4',
];

/**
 * Flags for loading a dump that may not be what we wrote: SQL reaches the server and nothing else.
 * Without them the client obeys its own commands in the input, so a dump line `\! cmd` runs a shell
 * command on the restore host and `source /path` reads its files. `--sandbox` refuses every command
 * that touches the file system or a shell; `--binary-mode` stops backslash sequences inside the data
 * being read as client commands.
 */
export const LOAD_FLAGS = ['--binary-mode', '--sandbox'];

/** Whether the client knows LOAD_FLAGS (MariaDB 10.5.25+/10.11.8+ does; Oracle's mysql client does not). */
export async function canLoadSafely(binary: string): Promise<boolean> {
  const help = await new Promise<string>((resolve) => {
    execFile(binary, ['--no-defaults', '--help'], { maxBuffer: 1024 * 1024 }, (_error, stdout) => resolve(String(stdout)));
  });
  return LOAD_FLAGS.every((flag) => new RegExp(`^\\s*${flag}\\b`, 'm').test(help));
}

/** Option-file value: double-quoted with backslash escapes (the MySQL/MariaDB option-file syntax). */
function optionValue(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error('database credentials must not contain line breaks or NUL');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface ClientCredentials {
  /** `--defaults-extra-file=…`: must be the first argument of the client. */
  argument: string;
  remove(): Promise<void>;
}

/**
 * Writes the server address and credentials of a mysql:// URL into a private option file. With TLS
 * (`rds` in production, where the server requires it) the file also names a CA file beside it (the
 * certificates the app's pool trusts, db/tls.ts) and `ssl-verify-server-cert`: MariaDB 10.11's
 * clients encrypt without it but accept any certificate for any host, which would hand the master
 * password to whoever answers on the database's address. `tls` has no default so that no caller can
 * forget it.
 */
export async function clientCredentials(databaseUrl: string, tls: DatabaseTls): Promise<ClientCredentials> {
  const url = new URL(databaseUrl);
  const lines = ['[client]', `host=${optionValue(url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1')}`, `port=${Number(url.port || 3306)}`, 'protocol=tcp'];
  if (url.username) lines.push(`user=${optionValue(decodeURIComponent(url.username))}`);
  if (url.password) lines.push(`password=${optionValue(decodeURIComponent(url.password))}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'bz-dbclient-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const certificates = trustedCertificates(tls);
    if (certificates) {
      const caFile = path.join(dir, 'ca.pem');
      await writeFile(caFile, certificates, { mode: 0o600, flag: 'wx' });
      lines.push(`ssl-ca=${optionValue(caFile)}`, 'ssl-verify-server-cert');
    }
    const file = path.join(dir, 'client.cnf');
    await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    return { argument: `--defaults-extra-file=${file}`, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

export interface ToolProcess {
  child: ChildProcess;
  /** Resolves when the process exits 0; rejects with its last stderr lines otherwise. */
  succeeded(): Promise<void>;
  kill(): void;
}

/** Spawns a client tool; stderr is kept (last 4 KB) for the error message. With stdin 'pipe' it is a loader. */
export function runTool(binary: string, args: string[], stdin: 'pipe' | 'ignore'): ToolProcess {
  const child = spawn(binary, args, { stdio: [stdin, 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
  // A loading client's output is not read by anyone; drain it so the client never blocks on a full pipe.
  if (stdin === 'pipe') child.stdout!.resume();
  const name = path.basename(binary);
  const exit = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${name} could not start: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${name} ${signal ? `was stopped by ${signal}` : `exited with status ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
  });
  exit.catch(() => {}); // observed by succeeded(); a process killed on an earlier failure must not crash the run
  return {
    child,
    succeeded: () => exit,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
