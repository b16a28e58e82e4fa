import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/platform/db/client.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/platform/db/admin.js';
import { runMigrations } from '../../src/platform/db/migrate.js';

export interface TestDatabase {
  url: string;
  database: Database;
  drop(): Promise<void>;
}

/** A fresh, empty database name on the test server. */
export function scratchDatabaseUrl(label = 't'): string {
  return withDatabase(inject('databaseServerUrl'), `bz_${label}_${randomBytes(5).toString('hex')}`);
}

/** A brand-new database with every migration applied; `drop()` removes it. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const url = scratchDatabaseUrl();
  await ensureDatabase(url);
  if (options.migrate !== false) await runMigrations(url);
  const database = createDatabase({ url, poolSize: 5 });
  return {
    url,
    database,
    async drop() {
      await database.close();
      await dropDatabase(url);
    },
  };
}
