import type { Connection } from 'mysql2/promise';

/**
 * The runtime database user: what the servers connect as in production. It reads and writes rows and
 * nothing else: no DDL (a stolen connection cannot drop, alter or add a table), no GRANT, nothing
 * outside the app's database. `npm run migrate` runs as the migrator (RDS's master user) and applies
 * these grants after the migrations, so a table a migration adds is usable as soon as the servers
 * that need it start. Setting passwords is the secret rotation's job; the one exception is the first
 * deploy, when the runtime secret's user does not exist yet (see createRuntimeUserIfMissing).
 *
 * Grants are per table, never `db.*`, so one table can be given less than the rest (an append-only
 * audit log: SELECT and INSERT only) by naming it below.
 */

const ROW_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
type RowPrivilege = (typeof ROW_PRIVILEGES)[number];

/** The tables the runtime user gets less on than every row privilege. */
const NARROWER: Record<string, readonly RowPrivilege[]> = {
  // The server reads which migrations ran (its start check); only `npm run migrate` records one.
  __drizzle_migrations: ['SELECT'],
};

export function runtimePrivilegesOn(table: string): readonly string[] {
  return NARROWER[table] ?? ROW_PRIVILEGES;
}

export interface Account {
  user: string;
  host: string;
}

/** How information_schema names an account. */
export const granteeOf = (account: Account): string => `'${account.user}'@'${account.host}'`;

/** AWS's alternating-users rotation makes `<user>_clone` at its first rotation, copying `<user>`'s grants. */
const isCloneOfListed = (user: string, users: string[]) => user.endsWith('_clone') && users.includes(user.slice(0, -'_clone'.length));

/**
 * The accounts (every host) of the named users. A missing rotation clone is a warning: until the
 * first rotation it does not exist, and when the rotation makes it, it copies its twin's grants. Any
 * other missing user is an error, raised before anything changes: the servers would connect as a user
 * that is not there. So is naming the migrator itself: these grants would narrow nothing.
 */
export async function findRuntimeAccounts(connection: Connection, users: string[]): Promise<{ accounts: Account[]; warnings: string[] }> {
  const [me] = await connection.query('SELECT CURRENT_USER() AS me');
  const migrator = (me as { me: string }[])[0]!.me.replace(/@[^@]*$/, '');
  const accounts: Account[] = [];
  const warnings: string[] = [];
  for (const user of users) {
    if (user === migrator) throw new Error(`RUNTIME_DB_USER: ${user} is the user this command connects as (the migrator); the runtime user must be another`);
    const [rows] = await connection.query('SELECT Host AS host FROM mysql.user WHERE User = ? ORDER BY Host', [user]);
    const hosts = (rows as { host: string }[]).map((row) => row.host);
    if (hosts.length === 0 && isCloneOfListed(user, users)) {
      warnings.push(`runtime database user ${user} does not exist yet (the first password rotation creates it with its twin's grants)`);
    } else if (hosts.length === 0) {
      throw new Error(`RUNTIME_DB_USER: runtime database user ${user} does not exist; create it (the database secret's user) before migrating`);
    }
    accounts.push(...hosts.map((host) => ({ user, host })));
  }
  return { accounts, warnings };
}

/** The runtime secret's current user and password, handed to the migrate task (RUNTIME_DB_CURRENT_USER, RUNTIME_DB_PASSWORD). */
export interface RuntimeUserSeed {
  user: string;
  password: string;
}

/**
 * First deploy: the servers' secret names a user nobody has created (the rotation that would keep its
 * password changes passwords, it does not make users). Creates it with the secret's password, over TLS
 * only when the database requires it of us. An existing user is never touched: once it exists its
 * password belongs to the rotation, and resetting it here would break every running task.
 */
export async function createRuntimeUserIfMissing(connection: Connection, seed: RuntimeUserSeed, options: { requireTls: boolean }): Promise<boolean> {
  const [rows] = await connection.query('SELECT 1 FROM mysql.user WHERE User = ?', [seed.user]);
  if ((rows as unknown[]).length > 0) return false;
  await connection.query(`CREATE USER ?@'%' IDENTIFIED BY ?${options.requireTls ? ' REQUIRE SSL' : ''}`, [seed.user, seed.password]);
  return true;
}

interface Held {
  privileges: Set<string>;
  grantable: boolean;
}

/**
 * Makes the account's rights on `database` exactly the declared ones, from whatever it had: running it
 * again changes nothing. It grants before it revokes, so a server connected as this user keeps every
 * right it needs throughout (grants take effect on the next statement, no restart).
 */
export async function grantRuntimeAccess(connection: Connection, database: string, account: Account): Promise<void> {
  const tables = await baseTables(connection, database);
  const held = await tablePrivileges(connection, database, account);
  for (const table of tables) {
    const missing = runtimePrivilegesOn(table).filter((privilege) => !held.get(table)?.privileges.has(privilege));
    if (missing.length > 0) await connection.query(`GRANT ${missing.join(', ')} ON ??.?? TO ?@?`, [database, table, account.user, account.host]);
  }
  // Tables a migration dropped keep their grants in MySQL; a later table of the same name must not inherit them.
  for (const [table, holding] of held) {
    const wanted = tables.includes(table) ? runtimePrivilegesOn(table) : [];
    const extra = [...holding.privileges].filter((privilege) => !wanted.includes(privilege));
    await revoke(connection, extra, holding.grantable, ['??.??', database, table], account);
  }
  const databaseWide = await schemaPrivileges(connection, database, account);
  await revoke(connection, [...databaseWide.privileges], databaseWide.grantable, ['??.*', database], account);
}

/**
 * What the account holds outside `database`: global rights, or rights on other databases. This command
 * owns only the app database, so it reports them rather than revoke them.
 */
export async function rightsBeyond(connection: Connection, database: string, account: Account): Promise<string[]> {
  const grantee = granteeOf(account);
  const [global] = await connection.query(
    'SELECT PRIVILEGE_TYPE AS privilege, IS_GRANTABLE AS grantable FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?',
    [grantee],
  );
  const [schemas] = await connection.query(
    'SELECT PRIVILEGE_TYPE AS privilege, TABLE_SCHEMA AS target FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA <> ?',
    [grantee, database],
  );
  const [tables] = await connection.query(
    "SELECT PRIVILEGE_TYPE AS privilege, CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) AS target FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA <> ?",
    [grantee, database],
  );
  return [
    ...(global as { privilege: string; grantable: string }[]).flatMap((row) => [
      ...(row.privilege === 'USAGE' ? [] : [`${row.privilege} on *.*`]),
      ...(row.grantable === 'YES' ? ['GRANT OPTION on *.*'] : []),
    ]),
    ...(schemas as { privilege: string; target: string }[]).map((row) => `${row.privilege} on ${row.target}.*`),
    ...(tables as { privilege: string; target: string }[]).map((row) => `${row.privilege} on ${row.target}`),
  ];
}

async function baseTables(connection: Connection, database: string): Promise<string[]> {
  const [rows] = await connection.query("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [
    database,
  ]);
  return (rows as { name: string }[]).map((row) => row.name);
}

async function tablePrivileges(connection: Connection, database: string, account: Account): Promise<Map<string, Held>> {
  const [rows] = await connection.query(
    'SELECT TABLE_NAME AS name, PRIVILEGE_TYPE AS privilege, IS_GRANTABLE AS grantable FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?',
    [granteeOf(account), database],
  );
  const held = new Map<string, Held>();
  for (const row of rows as { name: string; privilege: string; grantable: string }[]) {
    const holding = held.get(row.name) ?? { privileges: new Set<string>(), grantable: false };
    holding.privileges.add(row.privilege);
    holding.grantable ||= row.grantable === 'YES';
    held.set(row.name, holding);
  }
  return held;
}

async function schemaPrivileges(connection: Connection, database: string, account: Account): Promise<Held> {
  const [rows] = await connection.query(
    'SELECT PRIVILEGE_TYPE AS privilege, IS_GRANTABLE AS grantable FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?',
    [granteeOf(account), database],
  );
  const list = rows as { privilege: string; grantable: string }[];
  return { privileges: new Set(list.map((row) => row.privilege)), grantable: list.some((row) => row.grantable === 'YES') };
}

/** `on` is the target's placeholder pattern and its identifiers; privilege names come from the server, checked before they go into SQL. */
async function revoke(connection: Connection, privileges: string[], grantable: boolean, on: [string, ...string[]], account: Account): Promise<void> {
  const names = [...privileges, ...(grantable ? ['GRANT OPTION'] : [])];
  if (names.length === 0) return;
  const odd = names.find((name) => !/^[A-Z][A-Z ]*$/.test(name));
  if (odd) throw new Error(`unexpected privilege name ${JSON.stringify(odd)} held by ${granteeOf(account)}`);
  const [target, ...identifiers] = on;
  await connection.query(`REVOKE ${names.join(', ')} ON ${target} FROM ?@?`, [...identifiers, account.user, account.host]);
}
