import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';

/**
 * Development and tests need a MySQL-compatible server without set-up. In order:
 * 1. a server already answering on 127.0.0.1:3306 (root, no password: Debian's default for local use);
 * 2. a private server started from the installed `mariadbd`/`mysqld`, data under `.data/`, on a free port;
 * 3. otherwise, an explanation of how to get one.
 * Production never comes here: it must set DATABASE_URL.
 */

export interface LocalServer {
  /** mysql:// URL of the server, with no database selected. */
  serverUrl: string;
  /** Stops the server if this process started it; a no-op for a shared one. */
  stop(): Promise<void>;
  started: boolean;
}

export class NoDatabaseServer extends Error {
  constructor() {
    super(
      [
        'No database server found, and none can be started here.',
        'Either install MariaDB (the dev and test commands then start a private instance under .data/):',
        '    sudo apt-get install -y mariadb-server',
        'or run MySQL 8 in Docker:',
        '    docker run -d --name bizlumo-mysql -p 3306:3306 -e MYSQL_ALLOW_EMPTY_PASSWORD=yes mysql:8.4',
        'or point at any MySQL 8 / MariaDB 10.11 server you have:',
        '    DATABASE_URL=mysql://user:password@host:3306/bizlumo npm run dev',
      ].join('\n'),
    );
    this.name = 'NoDatabaseServer';
  }
}

const SHARED_URL = 'mysql://root@127.0.0.1:3306/';

export async function findOrStartLocalServer(dataDir: string, log: (line: string) => void = () => {}): Promise<LocalServer> {
  if (await answers(3306)) {
    await checkLogin(SHARED_URL);
    return { serverUrl: SHARED_URL, started: false, stop: async () => {} };
  }
  const serverDir = path.resolve(dataDir, 'mariadb');
  const portFile = path.join(serverDir, 'port');
  // A private server another of our processes started (say `npm run dev` while tests run).
  if (existsSync(portFile)) {
    const port = Number(readFileSync(portFile, 'utf8'));
    if (port > 0 && (await answers(port))) {
      return { serverUrl: `mysql://root@127.0.0.1:${port}/`, started: false, stop: async () => {} };
    }
  }
  const binary = findServerBinary();
  if (!binary) throw new NoDatabaseServer();
  return startPrivateServer(binary, serverDir, log);
}

async function checkLogin(serverUrl: string): Promise<void> {
  try {
    const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 3000 });
    await connection.end();
  } catch (error) {
    throw new Error(
      `A database server answers on 127.0.0.1:3306 but refused root without a password (${(error as Error).message}).\n` +
        'Set DATABASE_URL=mysql://user:password@127.0.0.1:3306/bizlumo to use it.',
    );
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export function findServerBinary(): { server: string; flavour: 'mariadb' | 'mysql' } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/local/mysql/bin'];
  for (const [name, flavour] of [
    ['mariadbd', 'mariadb'],
    ['mysqld', 'mysql'],
  ] as const) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (dir && existsSync(candidate)) return { server: candidate, flavour };
    }
  }
  return undefined;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function initialise(binary: { server: string; flavour: 'mariadb' | 'mysql' }, dataDir: string, log: (line: string) => void): void {
  if (existsSync(path.join(dataDir, 'mysql'))) return;
  mkdirSync(dataDir, { recursive: true });
  log(`initialising a private ${binary.flavour} data directory in ${dataDir}`);
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const result =
    binary.flavour === 'mariadb'
      ? spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot], {
          encoding: 'utf8',
        })
      : spawnSync(binary.server, ['--no-defaults', '--initialize-insecure', `--datadir=${dataDir}`, ...asRoot], { encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`could not initialise the database directory:\n${result.stderr || result.error?.message}`);
  }
}

/** `serverOptions` are added to the server's command line (a test's TLS certificates, say). */
export async function startPrivateServer(
  binary: { server: string; flavour: 'mariadb' | 'mysql' },
  serverDir: string,
  log: (line: string) => void,
  serverOptions: string[] = [],
): Promise<LocalServer> {
  const dataDir = path.join(serverDir, 'data');
  initialise(binary, dataDir, log);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const child: ChildProcess = spawn(
    binary.server,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${path.join(serverDir, 'mysqld.sock')}`,
      `--pid-file=${path.join(serverDir, 'mysqld.pid')}`,
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--max-connections=500',
      ...serverOptions,
      ...asRoot,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const serverUrl = `mysql://root@127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the private database server exited during start-up:\n${stderr}`);
    try {
      const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 1000 });
      await connection.end();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the private database server did not answer within 60 s:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const portFile = path.join(serverDir, 'port');
  writeFileSync(portFile, String(port));
  log(`started a private ${binary.flavour} server on 127.0.0.1:${port} (data in ${dataDir})`);
  let stopping: Promise<void> | undefined;
  return {
    serverUrl,
    started: true,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        rmSync(portFile, { force: true });
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
      });
      return stopping;
    },
  };
}
