import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localBackupMasterKey, restoreBackup, runRestoreDrill, takeBackup } from '../../src/platform/backup/index.js';
import { clientCredentials, clientTool, dumpTool, runTool } from '../../src/platform/backup/tools.js';
import { findServerBinary, startPrivateServer, type LocalServer } from '../../src/platform/db/local-server.js';
import type { DatabaseTls } from '../../src/platform/db/tls.js';
import { LocalObjectStore } from '../../src/platform/storage/index.js';
import { runCommand } from '../support/process.js';
import { seededSource } from '../support/backup.js';

/**
 * The TLS path of the backup, as production takes it against RDS (`require_secure_transport=ON`,
 * certificates verified), on a private MariaDB server with a certificate authority of the test's own
 * (openssl) and a user that may only connect over TLS. The `{ ca }` form of DatabaseTls stands in for
 * `rds`: the same code, another list of certificates.
 */
const binary = findServerBinary();
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

const openssl = (dir: string, ...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A CA, and (for the server) a certificate it signs for 127.0.0.1 and localhost. */
function makeCertificates(dir: string): { ca: string; otherCa: string; serverOptions: string[] } {
  mkdirSync(dir, { recursive: true });
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Bizlumo test CA');
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=Somebody else CA');
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(path.join(dir, 'server.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  return {
    ca: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    otherCa: readFileSync(path.join(dir, 'other.pem'), 'utf8'),
    serverOptions: [`--ssl-ca=${path.join(dir, 'ca.pem')}`, `--ssl-cert=${path.join(dir, 'server.pem')}`, `--ssl-key=${path.join(dir, 'server.key')}`],
  };
}

/** Runs the `mariadb` client with the option file for `tls` and returns what it printed. */
async function clientSays(url: string, tls: DatabaseTls, sql: string): Promise<string> {
  const credentials = await clientCredentials(url, tls);
  try {
    const client = runTool(clientTool(), [credentials.argument, '--batch', '--skip-column-names', '-e', sql], 'ignore');
    let out = '';
    client.child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await client.succeeded();
    return out.trim();
  } finally {
    await credentials.remove();
  }
}

describe.runIf(binary && hasOpenssl)('backup and restore over TLS with the server certificate verified', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bz-tls-'));
  let server: LocalServer;
  let certificates: ReturnType<typeof makeCertificates>;
  let port: string;
  const url = (database: string) => `mysql://tls_admin:tls%20pass%22word@127.0.0.1:${port}/${database}`;
  const dataDir = path.join(dir, 'data-dir');
  const backupKey = localBackupMasterKey({ dataDir, isProduction: false });
  const store = new LocalObjectStore({ dataDir });

  beforeAll(async () => {
    certificates = makeCertificates(path.join(dir, 'tls'));
    server = await startPrivateServer(binary!, path.join(dir, 'mariadb'), () => {}, certificates.serverOptions);
    port = new URL(server.serverUrl).port;
    const root = await mysql.createConnection({ uri: server.serverUrl, multipleStatements: true });
    try {
      await root.query(`
        CREATE USER 'tls_admin'@'127.0.0.1' IDENTIFIED BY 'tls pass"word' REQUIRE SSL;
        GRANT ALL PRIVILEGES ON *.* TO 'tls_admin'@'127.0.0.1';
        CREATE DATABASE payroll CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE TABLE payroll.payslips (id INT PRIMARY KEY, employee VARCHAR(100) NOT NULL, net_paise BIGINT NOT NULL);
        INSERT INTO payroll.payslips VALUES (1, 'Asha Rao', 8512300), (2, 'Ravi Kumar', 6400000), (3, 'Zoë ₹ test', 1);
      `);
    } finally {
      await root.end();
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the user is refused without TLS (as RDS refuses every plain connection)', async () => {
    await expect(mysql.createConnection({ uri: url('payroll'), connectTimeout: 5000 })).rejects.toThrow(/Access denied/);
  });

  it('the command-line client verifies the server certificate against the CA file: ours connects over TLS, another CA is refused', async () => {
    expect(await clientSays(url('payroll'), { ca: certificates.ca }, "SHOW SESSION STATUS LIKE 'Ssl_version'")).toMatch(/^Ssl_version\s+TLSv1\.[23]$/);
    await expect(clientSays(url('payroll'), { ca: certificates.otherCa }, 'SELECT 1')).rejects.toThrow(/certificate|SSL|TLS/i);
  });

  it('takes a backup and restores it into a new database, every connection over verified TLS', async () => {
    const tls = { ca: certificates.ca };
    const metadata = await takeBackup({ databaseUrl: url('payroll'), tls, backupKey, store });
    expect(metadata.source.dumpTool).toBe(path.basename(dumpTool()));
    expect(metadata.tables).toEqual([expect.objectContaining({ name: 'payslips', rows: 3 })]);

    const restored = await restoreBackup({ backupId: metadata.id, targetDatabaseUrl: url('payroll_restored'), tls, backupKey, store });
    expect(restored.database).toBe('payroll_restored');
    const connection = await mysql.createConnection({ uri: url('payroll_restored'), ssl: { ca: certificates.ca } });
    try {
      const [rows] = await connection.query('SELECT id, employee, net_paise FROM payslips ORDER BY id');
      expect(rows).toEqual([
        { id: 1, employee: 'Asha Rao', net_paise: 8512300 },
        { id: 2, employee: 'Ravi Kumar', net_paise: 6400000 },
        { id: 3, employee: 'Zoë ₹ test', net_paise: 1 },
      ]);
    } finally {
      await connection.end();
    }
  }, 60_000);

  it('refuses a server whose certificate another CA signed: no backup, no restore', async () => {
    const wrong = { ca: certificates.otherCa };
    await expect(takeBackup({ databaseUrl: url('payroll'), tls: wrong, backupKey, store })).rejects.toThrow(/certificate/i);
    const metadata = await takeBackup({ databaseUrl: url('payroll'), tls: { ca: certificates.ca }, backupKey, store });
    await expect(restoreBackup({ backupId: metadata.id, targetDatabaseUrl: url('payroll_wrong_ca'), tls: wrong, backupKey, store })).rejects.toThrow(
      /certificate/i,
    );
  }, 60_000);

  it('the restore drill restores, verifies and drops over verified TLS (a user that may only connect with TLS: every connection had it)', async () => {
    const from = await seededSource();
    try {
      const metadata = await takeBackup({ databaseUrl: from.source.url, backupKey: from.backupKey, store: from.store });
      const report = await runRestoreDrill({
        store: from.store,
        keyProvider: from.keyProvider,
        backupKey: from.backupKey,
        serverUrl: url(''),
        tls: { ca: certificates.ca },
        now: () => new Date(Date.parse(metadata.takenAt) + 60_000),
        auditChain: async () => ({ ok: true, detail: 'test verifier: chain intact' }),
      });
      expect(report.checks.filter((check) => check.status !== 'pass')).toEqual([]);
      expect(report.result).toBe('pass');
      expect(report.target).toMatchObject({ server: `127.0.0.1:${port}`, kept: false });
      const root = await mysql.createConnection({ uri: server.serverUrl });
      try {
        const [left] = await root.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [report.target.database]);
        expect(left).toEqual([]);
      } finally {
        await root.end();
      }
    } finally {
      await from.remove();
    }
  }, 120_000);

  it('the commands take DATABASE_TLS=rds (no refusal) and verify the server against the RDS certificates, which did not sign this one', async () => {
    // root may connect without TLS: only the verification against the RDS bundle can make these fail.
    const plain = `${server.serverUrl}payroll`;
    const env = (tls: string) => ({ DATABASE_URL: plain, DATABASE_TLS: tls, DATA_DIR: dataDir });
    const backup = await runCommand('src/cli/backup.ts', [], env('rds'));
    expect(backup.code, backup.output).toBe(1);
    expect(backup.output).not.toMatch(/embedded database|snapshots/);
    expect(backup.output).toMatch(/backup failed: .*(certificate|self-signed)/i);

    const drill = await runCommand('src/cli/drill-restore.ts', [], env('rds'));
    expect(drill.code, drill.output).toBe(1);
    expect(drill.output).not.toMatch(/not what this does/);
    expect(drill.output).toMatch(/FAIL restore: .*(certificate|self-signed)/i);

    const withoutTls = await runCommand('src/cli/backup.ts', [], env('off'));
    expect(withoutTls.code, withoutTls.output).toBe(0);
    expect(withoutTls.output).toMatch(/backup id: /);
  }, 120_000);
});
