import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { Config } from '../../src/config.js';
import { seedDemo, type SeedSummary } from '../../src/demo/seed.js';
import { dropDatabase, parseDatabaseUrl } from '../../src/platform/db/admin.js';
import { LocalKeyProvider } from '../../src/platform/crypto/index.js';
import { LocalObjectStore } from '../../src/platform/storage/index.js';
import { fingerprintTables, readStructure, startSnapshot, type TableFingerprint } from '../../src/platform/backup/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { testConfig } from './app.js';

/** A fresh database with the demo companies (2 × 60 employees, encrypted fields) and its own DATA_DIR. */
export interface BackupSource {
  source: TestDatabase;
  config: Config;
  keyProvider: LocalKeyProvider;
  store: LocalObjectStore;
  seed: SeedSummary;
  /** Drops the database and removes the DATA_DIR (key file, stored backups). */
  remove(): Promise<void>;
}

export async function seededSource(): Promise<BackupSource> {
  const source = await createTestDatabase();
  const config = testConfig(source.url);
  const seed = await seedDemo(source.database.db, config);
  return {
    source,
    config,
    keyProvider: new LocalKeyProvider({ dataDir: config.dataDir, isProduction: false }),
    store: new LocalObjectStore({ dataDir: config.dataDir }),
    seed,
    async remove() {
      await source.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export async function databaseExists(url: string): Promise<boolean> {
  const { serverUrl, database } = parseDatabaseUrl(url);
  const connection = await mysql.createConnection({ uri: serverUrl });
  try {
    const [rows] = await connection.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
    return (rows as unknown[]).length > 0;
  } finally {
    await connection.end();
  }
}

/** Row counts and checksums of every table, as the backup computes them. */
export async function fingerprintOf(url: string): Promise<TableFingerprint[]> {
  const { database } = parseDatabaseUrl(url);
  const connection = await mysql.createConnection({ uri: url });
  try {
    await startSnapshot(connection);
    return await fingerprintTables(connection, database, (await readStructure(connection, database)).tables);
  } finally {
    await connection.end();
  }
}

export async function dropAll(urls: string[]): Promise<void> {
  for (const url of urls) await dropDatabase(url).catch(() => {});
}

/** Every file under a folder, with its bytes (to scan the object store as an attacker would see it). */
export function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out.push({ file, bytes: readFileSync(file) });
    }
  }
  return out;
}
