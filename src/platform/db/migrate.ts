import mysql, { type Connection } from 'mysql2/promise';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../paths.js';
import { ensureDatabase, parseDatabaseUrl } from './admin.js';
import { connectionOptions } from './client.js';
import { createRuntimeUserIfMissing, findRuntimeAccounts, grantRuntimeAccess, granteeOf, rightsBeyond, type RuntimeUserSeed } from './runtime-user.js';

const LOCK_NAME = 'bizlumo_migrations';
const LOCK_WAIT_SECONDS = 120;
const ER_NO_SUCH_TABLE = 1146;

interface MigrationOptions {
  /** `rds` in production: RDS requires TLS of every connection, the migrator's too. */
  tls?: 'off' | 'rds';
  folder?: string;
}

/**
 * Applies the SQL migrations drizzle-kit generated. Several processes may try at once (test files, a
 * migrate task started twice), so they take turns under a named lock (GET_LOCK exists on both MySQL
 * and MariaDB). Returns how many migrations the journal holds.
 */
export async function runMigrations(url: string, options: MigrationOptions = {}): Promise<{ total: number }> {
  const folder = options.folder ?? migrationsDir;
  await underMigrationLock(url, options.tls, (connection) => migrate(drizzle(connection), { migrationsFolder: folder }));
  return { total: journalEntries(folder) };
}

async function underMigrationLock<T>(url: string, tls: MigrationOptions['tls'], work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ ...connectionOptions({ url, tls }), multipleStatements: false });
  try {
    const [rows] = await connection.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, LOCK_WAIT_SECONDS]);
    if ((rows as { got: number }[])[0]?.got !== 1) throw new Error('could not take the migration lock within 120 s');
    try {
      return await work(connection);
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await connection.end();
  }
}

/**
 * What `npm run migrate` does, as the migrator: checks the runtime users exist (before changing
 * anything), applies the migrations, then makes each runtime user's rights on the app database exactly
 * the declared ones (platform/db/runtime-user.ts), all under the migration lock. Throws when a runtime
 * user is missing or holds rights beyond the app database; warnings are returned.
 */
export async function migrateForDeploy(
  options: MigrationOptions & { url: string; runtimeUsers: string[]; seed?: RuntimeUserSeed; log: (line: string) => void },
): Promise<{
  migrations: number;
  granted: string[];
  warnings: string[];
}> {
  const { database } = parseDatabaseUrl(options.url);
  const folder = options.folder ?? migrationsDir;
  return underMigrationLock(options.url, options.tls, async (connection) => {
    if (options.seed) {
      if (!options.runtimeUsers.includes(options.seed.user)) {
        throw new Error(`RUNTIME_DB_CURRENT_USER: ${options.seed.user} is not one of RUNTIME_DB_USER (${options.runtimeUsers.join(', ')})`);
      }
      if (await createRuntimeUserIfMissing(connection, options.seed, { requireTls: options.tls === 'rds' })) {
        options.log(`created runtime user ${options.seed.user} with the runtime secret's password (first deploy)`);
      }
    }
    const { accounts, warnings } = await findRuntimeAccounts(connection, options.runtimeUsers);
    if (options.runtimeUsers.length === 0) warnings.push('RUNTIME_DB_USER is not set: no runtime user was granted anything');
    await migrate(drizzle(connection), { migrationsFolder: folder });
    const migrations = journalEntries(folder);
    options.log(`migrations: ${migrations} in this build, all applied`);
    const beyond: string[] = [];
    for (const account of accounts) {
      await grantRuntimeAccess(connection, database, account);
      options.log(`granted ${account.user}@${account.host} row access, table by table, on ${database}: no schema changes, no GRANT`);
      const extra = await rightsBeyond(connection, database, account);
      if (extra.length > 0) beyond.push(`${granteeOf(account)} holds ${extra.join(', ')}`);
    }
    if (beyond.length > 0) {
      throw new Error(
        `a runtime user has rights beyond the app database, which this command leaves to whoever gave them: ${beyond.join('; ')}. ` +
          'Revoke them (REVOKE … FROM …) and run it again.',
      );
    }
    return { migrations, granted: accounts.map(granteeOf), warnings };
  });
}

interface JournalEntry {
  tag: string;
  when: number;
}

function journal(folder = migrationsDir): JournalEntry[] {
  return (JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] }).entries;
}

export function journalEntries(folder = migrationsDir): number {
  return journal(folder).length;
}

export class MigrationsPending extends Error {
  constructor(message: string) {
    super(
      `${message}: apply them first with \`npm run migrate\` (in the image: \`node dist/cli/migrate.js\`, as the migrator); in production the server does not change the schema`,
    );
    this.name = 'MigrationsPending';
  }
}

/**
 * Whether the database has every migration this build ships. drizzle applies each journal entry newer
 * than the newest one recorded (drizzle-orm/mysql-core/dialect.js), so those are the pending ones. A
 * database ahead of the build (an older task restarting after a deploy) passes.
 */
export async function checkMigrationLevel(options: { url: string; tls?: 'off' | 'rds'; folder?: string }): Promise<{ expected: number; applied: number }> {
  const entries = journal(options.folder);
  const connection = await mysql.createConnection(connectionOptions(options));
  let applied = 0;
  let newest = -Infinity;
  try {
    const [rows] = await connection.query('SELECT COUNT(*) AS applied, MAX(created_at) AS newest FROM __drizzle_migrations');
    const row = (rows as { applied: number | string; newest: number | string | null }[])[0]!;
    applied = Number(row.applied);
    if (row.newest !== null) newest = Number(row.newest);
  } catch (error) {
    if ((error as { errno?: number }).errno !== ER_NO_SUCH_TABLE) throw error;
  } finally {
    await connection.end();
  }
  const pending = entries.filter((entry) => entry.when > newest);
  if (applied === 0) throw new MigrationsPending(`the database has none of this build’s ${entries.length} migrations`);
  if (pending.length > 0) {
    const count = `${pending.length} migration${pending.length === 1 ? '' : 's'}`;
    throw new MigrationsPending(`the database is ${count} behind this build (${pending.map((entry) => entry.tag).join(', ')})`);
  }
  return { expected: entries.length, applied };
}

/**
 * Before a server or command uses the database. Development and tests own theirs: create it if need be
 * and migrate. In production the runtime user may not change the schema (nor create a database): a
 * deploy runs `npm run migrate` first, and this only refuses a database behind the build.
 */
export async function prepareSchema(options: { url: string; tls?: 'off' | 'rds'; isProduction: boolean }): Promise<{ migrations: number; migrated: boolean }> {
  if (options.isProduction) return { migrations: (await checkMigrationLevel(options)).applied, migrated: false };
  await ensureDatabase(options.url);
  return { migrations: (await runMigrations(options.url)).total, migrated: true };
}
