import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase, parseDatabaseUrl } from '../../src/platform/db/admin.js';
import { checkMigrationLevel, journalEntries, migrateForDeploy } from '../../src/platform/db/migrate.js';
import { migrationsDir } from '../../src/platform/paths.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer } from '../../src/main.js';

/**
 * Production runs two database users: the migrator (RDS's master user, used only by the one-off
 * `npm run migrate` task) and the runtime user the servers connect as, which may read and write rows
 * and nothing else. These tests make real users on the test server and connect as them.
 */
describe('the runtime database user and the migrate command', () => {
  const appUrl = scratchDatabaseUrl('rt');
  const otherUrl = scratchDatabaseUrl('rto');
  const behindUrl = scratchDatabaseUrl('rtb');
  const { serverUrl, database } = parseDatabaseUrl(appUrl);
  const runtime = `bz_rt_${randomBytes(4).toString('hex')}`;
  const clone = `${runtime}_clone`;
  /** The runtime user of the database one migration behind: one user serves one database. */
  const behindUser = `${runtime}_b`;
  /** The user a first deploy creates from the runtime secret. */
  const seededUser = `${runtime}_s`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const asRuntime = (user = runtime, url = appUrl) => {
    const as = new URL(url);
    as.username = user;
    as.password = password;
    return as.toString();
  };
  const scratchFolders: string[] = [];
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);

  async function asRoot<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
    const connection = await mysql.createConnection(serverUrl);
    try {
      return await work(connection);
    } finally {
      await connection.end();
    }
  }

  async function connectAs(user = runtime, url = appUrl): Promise<mysql.Connection> {
    return mysql.createConnection({ uri: asRuntime(user, url), connectTimeout: 5000 });
  }

  /** The error code a statement fails with as the runtime user, or 'ok'. */
  async function outcome(statement: string, user = runtime): Promise<string> {
    const connection = await connectAs(user);
    try {
      await connection.query(statement);
      return 'ok';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    } finally {
      await connection.end();
    }
  }

  async function privileges(user: string): Promise<{ schema: string[]; tables: Map<string, string[]>; grantable: number; global: string[] }> {
    return asRoot(async (connection) => {
      const grantee = `'${user}'@'%'`;
      const [schemaRows] = await connection.query('SELECT PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?', [grantee]);
      const [tableRows] = await connection.query(
        'SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, PRIVILEGE_TYPE AS p, IS_GRANTABLE AS g FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?',
        [grantee],
      );
      const [globalRows] = await connection.query('SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?', [grantee]);
      const tables = new Map<string, string[]>();
      for (const row of tableRows as { s: string; t: string; p: string }[]) {
        const key = `${row.s}.${row.t}`;
        tables.set(key, [...(tables.get(key) ?? []), row.p].sort());
      }
      return {
        schema: (schemaRows as { p: string }[]).map((row) => row.p),
        tables,
        grantable: (tableRows as { g: string }[]).filter((row) => row.g === 'YES').length,
        global: (globalRows as { p: string }[]).map((row) => row.p),
      };
    });
  }

  async function appTables(): Promise<string[]> {
    return asRoot(async (connection) => {
      const [rows] = await connection.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [
        database,
      ]);
      return (rows as { t: string }[]).map((row) => row.t).sort();
    });
  }

  beforeAll(async () => {
    await asRoot(async (connection) => {
      await connection.query('CREATE USER ?@? IDENTIFIED BY ?', [runtime, '%', password]);
      // As a careless first setup might have left it: everything on the app database, DDL included.
      await ensureDatabase(appUrl);
      await connection.query('GRANT ALL PRIVILEGES ON ??.* TO ?@? WITH GRANT OPTION', [database, runtime, '%']);
    });
    await ensureDatabase(otherUrl);
    await asRoot((connection) => connection.query('CREATE TABLE ??.secrets (id INT PRIMARY KEY)', [parseDatabaseUrl(otherUrl).database]));
  });

  afterAll(async () => {
    await asRoot(async (connection) => {
      for (const user of [runtime, clone, behindUser, seededUser]) await connection.query('DROP USER IF EXISTS ?@?', [user, '%']);
    });
    for (const url of [appUrl, otherUrl, behindUrl]) await dropDatabase(url);
    for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
  });

  it('refuses, before migrating anything, when a runtime user that is not a rotation clone does not exist', async () => {
    const missing = `bz_missing_${randomBytes(3).toString('hex')}`;
    await ensureDatabase(behindUrl);
    await expect(migrateForDeploy({ url: behindUrl, runtimeUsers: [missing, `${missing}_clone`], log })).rejects.toThrow(
      new RegExp(`runtime database user ${missing} does not exist`),
    );
    const connection = await mysql.createConnection(behindUrl);
    const [rows] = await connection.query('SHOW TABLES');
    await connection.end();
    expect(rows).toEqual([]);
  });

  it('migrates, grants the runtime user, and only warns that the rotation clone does not exist yet', async () => {
    const result = await migrateForDeploy({ url: appUrl, runtimeUsers: [runtime, clone], log });
    expect(result.migrations).toBe(journalEntries());
    expect(result.warnings).toEqual([expect.stringMatching(new RegExp(`${clone} does not exist yet`))]);
    expect(result.granted).toEqual([`'${runtime}'@'%'`]);
    expect(lines.join('\n')).toMatch(new RegExp(`granted ${runtime}@%`));
  });

  it("on the first deploy creates the runtime secret's user with its password, and never changes it afterwards", async () => {
    const seeded = await migrateForDeploy({ url: appUrl, runtimeUsers: [seededUser], seed: { user: seededUser, password }, log });
    expect(seeded.granted).toEqual([`'${seededUser}'@'%'`]);
    expect(lines.join('\n')).toMatch(new RegExp(`created runtime user ${seededUser}`));
    expect(await outcome('SELECT COUNT(*) FROM companies', seededUser)).toBe('ok');
    expect(await outcome('DROP TABLE companies', seededUser)).toBe('ER_TABLEACCESS_DENIED_ERROR');

    // The rotation has since changed the password (here: the secret handed over is another one): it stays.
    await migrateForDeploy({ url: appUrl, runtimeUsers: [seededUser], seed: { user: seededUser, password: 'pw-rotated-elsewhere-0123456789' }, log });
    expect(await outcome('SELECT 1', seededUser)).toBe('ok');
    await expect(migrateForDeploy({ url: appUrl, runtimeUsers: [seededUser], seed: { user: 'someone_else', password }, log })).rejects.toThrow(
      /RUNTIME_DB_CURRENT_USER: someone_else is not one of RUNTIME_DB_USER/,
    );
  });

  it('lets the runtime user select, insert, update and delete the rows of an app table', async () => {
    const connection = await connectAs();
    try {
      const id = randomBytes(18).toString('hex');
      await connection.query("INSERT INTO companies (id, name, domain) VALUES (?, 'Runtime Ltd', ?)", [id, `${id}.test`]);
      await connection.query("UPDATE companies SET name = 'Runtime Pvt Ltd' WHERE id = ?", [id]);
      const [rows] = await connection.query('SELECT name FROM companies WHERE id = ?', [id]);
      expect(rows).toEqual([{ name: 'Runtime Pvt Ltd' }]);
      await connection.query('DELETE FROM companies WHERE id = ?', [id]);
      const [after] = await connection.query('SELECT COUNT(*) AS n FROM companies WHERE id = ?', [id]);
      expect(Number((after as { n: number }[])[0]!.n)).toBe(0);
    } finally {
      await connection.end();
    }
  });

  it('does not let the runtime user change the schema or grant anything', async () => {
    expect(await outcome('CREATE TABLE intruder (id INT PRIMARY KEY)')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await outcome('ALTER TABLE companies ADD COLUMN backdoor INT')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await outcome('DROP TABLE companies')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await outcome('CREATE INDEX companies_name ON companies (name)')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await outcome('TRUNCATE TABLE companies')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await outcome(`GRANT SELECT ON ${database}.companies TO '${runtime}'@'%'`)).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await outcome(`CREATE DATABASE bz_intruder_${randomBytes(3).toString('hex')}`)).toBe('ER_DBACCESS_DENIED_ERROR');
    // Only `npm run migrate` records migrations.
    expect(await outcome("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('forged', 1)")).toBe('ER_TABLEACCESS_DENIED_ERROR');
  });

  it('does not let the runtime user see another database', async () => {
    const other = parseDatabaseUrl(otherUrl).database;
    const connection = await connectAs();
    try {
      const [rows] = await connection.query('SHOW DATABASES');
      const names = (rows as { Database: string }[]).map((row) => row.Database);
      expect(names).toContain(database);
      expect(names).not.toContain(other);
    } finally {
      await connection.end();
    }
    expect(await outcome(`SELECT * FROM ${other}.secrets`)).toBe('ER_TABLEACCESS_DENIED_ERROR');
  });

  it('grants per table, on this database only, with no grant option: the database-wide grant it had is gone', async () => {
    const granted = await privileges(runtime);
    expect(granted.schema).toEqual([]);
    expect(granted.global).toEqual(['USAGE']);
    expect(granted.grantable).toBe(0);
    const tables = await appTables();
    expect([...granted.tables.keys()].sort()).toEqual(tables.map((table) => `${database}.${table}`));
    for (const table of tables) {
      const expected = table === '__drizzle_migrations' ? ['SELECT'] : ['DELETE', 'INSERT', 'SELECT', 'UPDATE'];
      expect(granted.tables.get(`${database}.${table}`), table).toEqual(expected);
    }
  });

  it('is harmless to run again, and converges a user someone gave broader rights', async () => {
    await asRoot(async (connection) => {
      await connection.query('GRANT CREATE, DROP ON ??.* TO ?@?', [database, runtime, '%']);
      await connection.query('GRANT ALTER, INDEX ON ??.companies TO ?@? WITH GRANT OPTION', [database, runtime, '%']);
    });
    expect(await outcome('ALTER TABLE companies ADD COLUMN backdoor INT')).toBe('ok');
    await asRoot((connection) => connection.query('ALTER TABLE ??.companies DROP COLUMN backdoor', [database]));
    const before = await privileges(runtime);

    const again = await migrateForDeploy({ url: appUrl, runtimeUsers: [runtime, clone], log });
    expect(again.migrations).toBe(journalEntries());
    const after = await privileges(runtime);
    expect(after.schema).toEqual([]);
    expect(after.grantable).toBe(0);
    expect(after.tables.get(`${database}.companies`)).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    expect(before.tables.get(`${database}.companies`)).toContain('ALTER');
    expect(await outcome('ALTER TABLE companies ADD COLUMN backdoor INT')).toBe('ER_TABLEACCESS_DENIED_ERROR');
    expect(await outcome('SELECT COUNT(*) FROM companies')).toBe('ok');

    const third = await migrateForDeploy({ url: appUrl, runtimeUsers: [runtime, clone], log });
    expect(await privileges(runtime)).toEqual(after);
    expect(third.granted).toEqual([`'${runtime}'@'%'`]);
  });

  it('gives the clone that password rotation creates the same rights on the next run, so either user serves', async () => {
    await asRoot((connection) => connection.query('CREATE USER ?@? IDENTIFIED BY ?', [clone, '%', password]));
    const result = await migrateForDeploy({ url: appUrl, runtimeUsers: [runtime, clone], log });
    expect(result.warnings).toEqual([]);
    expect(result.granted).toEqual([`'${runtime}'@'%'`, `'${clone}'@'%'`]);
    expect((await privileges(clone)).tables).toEqual((await privileges(runtime)).tables);
    expect(await outcome('SELECT COUNT(*) FROM employees', clone)).toBe('ok');
    expect(await outcome('DROP TABLE employees', clone)).toBe('ER_TABLEACCESS_DENIED_ERROR');
  });

  it('fails, naming them, when a runtime user holds rights outside the app database (which it leaves alone)', async () => {
    const other = parseDatabaseUrl(otherUrl).database;
    await asRoot((connection) => connection.query('GRANT SELECT ON ??.secrets TO ?@?', [other, runtime, '%']));
    try {
      await expect(migrateForDeploy({ url: appUrl, runtimeUsers: [runtime, clone], log })).rejects.toThrow(
        new RegExp(`'${runtime}'@'%' holds SELECT on ${other}\\.secrets\\. Revoke them`),
      );
    } finally {
      await asRoot((connection) => connection.query('REVOKE SELECT ON ??.secrets FROM ?@?', [other, runtime, '%']));
    }
    expect(await outcome('SELECT COUNT(*) FROM companies')).toBe('ok');
  });

  it('refuses to treat the migrator itself as the runtime user', async () => {
    await expect(migrateForDeploy({ url: appUrl, runtimeUsers: ['root'], log })).rejects.toThrow(/root is the user this command connects as/);
  });

  /** A copy of migrations/ whose journal stops one entry short: what the previous release shipped. */
  function previousRelease(): string {
    const folder = mkdtempSync(path.join(tmpdir(), 'bz-migrations-'));
    scratchFolders.push(folder);
    cpSync(migrationsDir, folder, { recursive: true });
    const journalFile = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
    journal.entries.pop();
    writeFileSync(journalFile, JSON.stringify(journal));
    return folder;
  }

  describe('the production start check', () => {
    let newest = '';

    beforeAll(async () => {
      await ensureDatabase(behindUrl);
      await asRoot((connection) => connection.query('CREATE USER ?@? IDENTIFIED BY ?', [behindUser, '%', password]));
      await migrateForDeploy({ url: behindUrl, runtimeUsers: [behindUser], folder: previousRelease(), log });
      const journal = JSON.parse(readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
      newest = journal.entries.at(-1)!.tag;
    });

    it('accepts a database at this build’s migration level, read as the runtime user', async () => {
      expect(await checkMigrationLevel({ url: asRuntime() })).toEqual({ expected: journalEntries(), applied: journalEntries() });
    });

    it('refuses a database one migration behind, naming the migration and the command that applies it', async () => {
      await expect(checkMigrationLevel({ url: asRuntime(behindUser, behindUrl) })).rejects.toThrow(
        new RegExp(`1 migration behind this build \\(${newest}\\).*npm run migrate.*node dist/cli/migrate\\.js`),
      );
    });

    it('refuses a database with no migrations at all', async () => {
      const empty = scratchDatabaseUrl('rte');
      await ensureDatabase(empty);
      try {
        await expect(checkMigrationLevel({ url: empty })).rejects.toThrow(/has none of this build’s \d+ migrations.*npm run migrate/);
      } finally {
        await dropDatabase(empty);
      }
    });

    /**
     * What the production task definition supplies, through the real loadConfig, with made-up secrets and
     * endpoints nothing here calls. Production refuses DATABASE_TLS=off and the test server speaks no TLS,
     * so that one setting is changed after loading: a real start in this process, not `node dist/main.js`.
     */
    function productionConfig(databaseUrl: string): Config {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'bz-data-'));
      scratchFolders.push(dataDir);
      const secret = () => randomBytes(36).toString('base64');
      const config = loadConfig({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'silent',
        DATABASE_URL: databaseUrl,
        DATABASE_TLS: 'rds',
        SESSION_SECRETS: `k1:${secret()}`,
        PASSWORD_PEPPER: secret(),
        KEY_PROVIDER: 'kms',
        KMS_KEY_ID: 'arn:aws:kms:ap-south-1:111122223333:key/00000000-0000-0000-0000-000000000000',
        STORAGE: 's3',
        S3_BUCKET: 'bizlumo-test-unused',
        S3_KMS_KEY_ID: 'arn:aws:kms:ap-south-1:111122223333:key/00000000-0000-0000-0000-000000000001',
        MAIL_TRANSPORT: 'smtp',
        SMTP_URL: 'smtp://127.0.0.1:9',
        RAZORPAY_KEY_ID: 'rzp_test_unused',
        RAZORPAY_KEY_SECRET: secret(),
        RAZORPAY_WEBHOOK_SECRET: secret(),
        PUBLIC_ORIGIN: 'https://hr.bizlumo.in',
        DATA_DIR: dataDir,
      });
      return { ...config, databaseTls: 'off' };
    }

    it('a production server started as the runtime user refuses a database one migration behind, and serves an up-to-date one', async () => {
      await expect(startServer(productionConfig(asRuntime(behindUser, behindUrl)))).rejects.toThrow(
        /database is 1 migration behind this build .*npm run migrate/,
      );

      // startServer hands SIGTERM/SIGINT to the server it starts; this process keeps its own afterwards.
      const signalHandlers = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
      const server = await startServer(productionConfig(asRuntime()));
      try {
        // Readiness pings the database within 2 s; on a loaded machine one ping may miss.
        let ready = 0;
        for (let attempt = 0; attempt < 20 && ready !== 200; attempt++) {
          ready = (await fetch(`${server.url}/readyz`)).status;
          if (ready !== 200) await new Promise((r) => setTimeout(r, 500));
        }
        expect(ready).toBe(200);
      } finally {
        await server.stop();
        for (const signal of ['SIGTERM', 'SIGINT'] as const) {
          for (const handler of process.listeners(signal)) if (!signalHandlers[signal].includes(handler)) process.off(signal, handler);
        }
      }
    }, 60_000);
  });
});
