import { createHash } from 'node:crypto';
import type { Connection } from 'mysql2/promise';

/**
 * What a database holds, in a form that must come out identical on a faithful copy: its schema
 * version (drizzle's `__drizzle_migrations`), its tables (from information_schema, so nothing here
 * knows any module), each table's structure hash, row count and an order-independent checksum of its
 * rows. Computed by the server in plain SQL that MySQL 8 and MariaDB both run: `CHECKSUM TABLE` is
 * not used because its result differs between server versions and row formats.
 *
 * Row checksum: every row becomes SHA-256 over `QUOTE(CAST(column AS BINARY))` of each column joined
 * by commas (QUOTE spells NULL as the bare word NULL and quotes/escapes everything else, so NULL, ''
 * and 'NULL' differ, and a comma inside a value cannot shift columns). The table checksum is the XOR
 * of the rows' first 128 bits plus the SUM of their next 32 bits: the order rows come back in does
 * not matter, and the sum keeps two identical rows (possible only without a primary key) from
 * cancelling out as they would under XOR alone.
 */

export interface SchemaVersion {
  /** Rows in `__drizzle_migrations`: how many migrations were applied. */
  migrations: number;
  /** Hash (SHA-256 of the SQL file, as drizzle records it) of the newest applied migration. */
  lastHash: string | null;
}

export interface TableStructure {
  name: string;
  columns: string[];
  /** SHA-256 over column names, types, nullability and index definitions. */
  structure: string;
}

export interface DatabaseStructure {
  charset: string;
  collation: string;
  schema: SchemaVersion;
  tables: TableStructure[];
}

export interface TableFingerprint {
  name: string;
  rows: number;
  checksum: string;
  structure: string;
}

export const MIGRATIONS_TABLE = '__drizzle_migrations';

export const quoteIdentifier = (name: string) => `\`${name.replace(/`/g, '``')}\``;

type Row = Record<string, unknown>;

async function select(connection: Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [rows] = await connection.query(sql, params);
  return rows as Row[];
}

/** Tables, their structure and the schema version. Run it inside the snapshot the data is read in. */
export async function readStructure(connection: Connection, database: string): Promise<DatabaseStructure> {
  const [schemata] = await select(
    connection,
    'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [database],
  );
  if (!schemata) throw new Error(`database ${database} does not exist`);
  const names = (
    await select(
      connection,
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
      [database],
    )
  ).map((row) => String(row.name));
  const columns = await select(
    connection,
    'SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
    [database],
  );
  const indexes = await select(
    connection,
    'SELECT TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nonUnique, SEQ_IN_INDEX AS seq, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX',
    [database],
  );
  const tables = names.map((name): TableStructure => {
    const own = columns.filter((row) => row.t === name);
    const hash = createHash('sha256');
    for (const row of own) hash.update(`column ${String(row.c)} ${String(row.type)} ${String(row.nullable)}\n`);
    for (const row of indexes.filter((r) => r.t === name)) hash.update(`index ${String(row.i)} ${Number(row.nonUnique)} ${Number(row.seq)} ${String(row.c)}\n`);
    return { name, columns: own.map((row) => String(row.c)), structure: hash.digest('hex') };
  });
  const schema = names.includes(MIGRATIONS_TABLE) ? await schemaVersion(connection, database) : { migrations: 0, lastHash: null };
  return { charset: String(schemata.charset), collation: String(schemata.collation), schema, tables };
}

async function schemaVersion(connection: Connection, database: string): Promise<SchemaVersion> {
  const table = `${quoteIdentifier(database)}.${quoteIdentifier(MIGRATIONS_TABLE)}`;
  const [count] = await select(connection, `SELECT COUNT(*) AS n FROM ${table}`);
  // The order drizzle's migrator itself uses to find the newest migration.
  const [last] = await select(connection, `SELECT hash FROM ${table} ORDER BY created_at DESC, id DESC LIMIT 1`);
  return { migrations: Number(count?.n ?? 0), lastHash: last ? String(last.hash) : null };
}

/** Row count and checksum of one table (one full scan, done by the server). */
export async function fingerprintTable(connection: Connection, database: string, table: TableStructure): Promise<TableFingerprint> {
  const parts = table.columns.map((column) => `QUOTE(CAST(${quoteIdentifier(column)} AS BINARY))`).join(', ');
  const piece = (from: number, length: number) => `CAST(CONV(SUBSTRING(h, ${from}, ${length}), 16, 10) AS UNSIGNED)`;
  // BIT_XOR is 0 over no rows. No COALESCE around it: mixing its BIGINT UNSIGNED with a literal 0
  // makes MariaDB go through DECIMAL/DOUBLE and lose the low bits.
  const [row] = await select(
    connection,
    `SELECT COUNT(*) AS n,
            LPAD(HEX(BIT_XOR(${piece(1, 16)})), 16, '0') AS x1,
            LPAD(HEX(BIT_XOR(${piece(17, 16)})), 16, '0') AS x2,
            CAST(COALESCE(SUM(${piece(33, 8)}), 0) AS CHAR) AS s
       FROM (SELECT SHA2(CONCAT_WS(',', ${parts}), 256) AS h FROM ${quoteIdentifier(database)}.${quoteIdentifier(table.name)}) AS r`,
  );
  const checksum = `${String(row?.x1).toLowerCase()}${String(row?.x2).toLowerCase()}+${String(row?.s)}`;
  return { name: table.name, rows: Number(row?.n ?? 0), checksum, structure: table.structure };
}

export async function fingerprintTables(connection: Connection, database: string, tables: TableStructure[]): Promise<TableFingerprint[]> {
  const fingerprints: TableFingerprint[] = [];
  for (const table of tables) fingerprints.push(await fingerprintTable(connection, database, table));
  return fingerprints;
}

/**
 * A connection pinned to one consistent view of the data: REPEATABLE READ and a snapshot taken now
 * (not at its first read), in UTC so TIMESTAMP columns read the same everywhere.
 */
export async function startSnapshot(connection: Connection): Promise<void> {
  await connection.query("SET SESSION time_zone = '+00:00'");
  await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
}
