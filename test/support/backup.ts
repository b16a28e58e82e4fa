import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mysql from 'mysql2/promise';
import type { Config } from '../../src/config.js';
import { seedDemo, type SeedSummary } from '../../src/demo/seed.js';
import { dropDatabase, parseDatabaseUrl } from '../../src/platform/db/admin.js';
import { LocalKeyProvider } from '../../src/platform/crypto/index.js';
import { LocalObjectStore, PLATFORM, type ObjectStore } from '../../src/platform/storage/index.js';
import {
  BACKUP_FORMAT,
  dumpKey,
  fingerprintTables,
  localBackupMasterKey,
  metadataKey,
  type BackupMasterKey,
  readStructure,
  startSnapshot,
  type TableFingerprint,
} from '../../src/platform/backup/index.js';
import { deriveBackupKeys, FrameEncoder, metadataMac } from '../../src/platform/backup/format.js';
import { newBackupId } from '../../src/platform/backup/metadata.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { testConfig } from './app.js';

/** A fresh database with the demo companies (2 × 60 employees, encrypted fields) and its own DATA_DIR. */
export interface BackupSource {
  source: TestDatabase;
  config: Config;
  keyProvider: LocalKeyProvider;
  /** The backups' own key file (`keys/backup.key`), beside the field key's. */
  backupKey: BackupMasterKey;
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
    backupKey: localBackupMasterKey({ dataDir: config.dataDir, isProduction: false }),
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

/**
 * A backup made by hand, as someone who can write to the backups prefix and obtain a data key would make
 * one: `sql` encrypted in the real format under `dataKey`, with metadata whose MAC verifies under it.
 */
export async function forgeBackup(
  store: ObjectStore,
  makeKey: (id: string) => Promise<{ plaintext: Buffer; wrapped: Buffer; masterKeyId: string; context: unknown }>,
  sql: string,
  takenAt = new Date(),
): Promise<string> {
  const id = newBackupId(takenAt);
  const dataKey = await makeKey(id);
  const keys = deriveBackupKeys(dataKey.plaintext);
  const encoder = new FrameEncoder(keys.frames, id, 64 * 1024);
  const [file] = await Promise.all([collect(encoder), pipeline(Readable.from([Buffer.from(sql, 'utf8')]), encoder)]);
  const unsigned = {
    format: BACKUP_FORMAT,
    id,
    takenAt: takenAt.toISOString(),
    source: { database: 'bizlumo', charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci', serverVersion: 'forged', dumpTool: 'mariadb-dump', snapshot: 'shared' },
    schema: { migrations: 0, lastHash: null, codeMigrations: 0 },
    tables: [],
    encryptedColumns: [],
    key: { context: dataKey.context, masterKeyId: dataKey.masterKeyId, wrapped: dataKey.wrapped.toString('base64') },
    cipher: { algorithm: 'AES-256-GCM', frameBytes: 64 * 1024, frames: encoder.stats.frames },
    sizes: { plaintextBytes: encoder.stats.plaintextBytes, ciphertextBytes: encoder.stats.ciphertextBytes },
    ciphertextSha256: encoder.stats.sha256,
    object: dumpKey(id),
  };
  await store.put(PLATFORM, dumpKey(id), file);
  await store.put(PLATFORM, metadataKey(id), Buffer.from(JSON.stringify({ ...unsigned, mac: metadataMac(keys.metadata, unsigned) })));
  return id;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
