import { afterAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { ensureDatabase, dropDatabase } from '../../src/platform/db/admin.js';
import { journalEntries, runMigrations } from '../../src/platform/db/migrate.js';
import { scratchDatabaseUrl } from '../support/db.js';

describe('migration runner', () => {
  const url = scratchDatabaseUrl('mig');
  afterAll(() => dropDatabase(url));

  async function tables(): Promise<string[]> {
    const connection = await mysql.createConnection(url);
    try {
      const [rows] = await connection.query('SHOW TABLES');
      return (rows as Record<string, string>[]).map((row) => Object.values(row)[0]!).sort();
    } finally {
      await connection.end();
    }
  }

  it('creates a missing database on first connection', async () => {
    expect(await ensureDatabase(url)).toBe('created');
    expect(await ensureDatabase(url)).toBe('existed');
    expect(await tables()).toEqual([]);
  });

  it('applies every migration to an empty database', async () => {
    const { total } = await runMigrations(url);
    expect(total).toBe(journalEntries());
    expect(total).toBeGreaterThan(0);
    const names = await tables();
    expect(names).toEqual(expect.arrayContaining(['__drizzle_migrations', 'companies', 'departments', 'employees']));
    const connection = await mysql.createConnection(url);
    const [applied] = await connection.query('SELECT COUNT(*) AS n FROM __drizzle_migrations');
    await connection.end();
    expect(Number((applied as { n: number }[])[0]!.n)).toBe(total);
  });

  it('is a no-op when run again, even by several instances at once', async () => {
    await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    const connection = await mysql.createConnection(url);
    const [applied] = await connection.query('SELECT COUNT(*) AS n FROM __drizzle_migrations');
    await connection.end();
    expect(Number((applied as { n: number }[])[0]!.n)).toBe(journalEntries());
  });
});
