import mysql from 'mysql2/promise';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../paths.js';

const LOCK_NAME = 'bizlumo_migrations';
const LOCK_WAIT_SECONDS = 120;

/**
 * Applies the SQL migrations drizzle-kit generated. Several app instances may start together, so
 * they take turns under a named lock (GET_LOCK exists on both MySQL and MariaDB).
 * Returns how many migrations the journal holds.
 */
export async function runMigrations(url: string, folder = migrationsDir): Promise<{ total: number }> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: false, connectTimeout: 5000 });
  try {
    const [rows] = await connection.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, LOCK_WAIT_SECONDS]);
    if ((rows as { got: number }[])[0]?.got !== 1) throw new Error('could not take the migration lock within 120 s');
    try {
      await migrate(drizzle(connection), { migrationsFolder: folder });
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await connection.end();
  }
  return { total: journalEntries(folder) };
}

export function journalEntries(folder = migrationsDir): number {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}
