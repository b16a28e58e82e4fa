import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import mysql from 'mysql2/promise';
import { dropDatabase, parseDatabaseUrl } from '../db/admin.js';
import { sslOption, type DatabaseTls } from '../db/tls.js';
import { PLATFORM, type ObjectStore } from '../storage/index.js';
import { quoteIdentifier } from './checksums.js';
import { backupKeyContext, type BackupMasterKey } from './backup-key.js';
import { canonicalJson, deriveBackupKeys, FrameDecoder, FrameError, FrameReader, macMatches, type BackupKeys } from './format.js';
import { BackupRefused, readMetadata, type BackupMetadata } from './metadata.js';
import { canLoadSafely, clientCredentials, clientTool, LOAD_FLAGS, runTool } from './tools.js';

/**
 * `restoreBackup`: a backup into a brand-new database, never over an existing one.
 *
 * Nothing in the stored objects is trusted until the backup master key vouches for it: anyone who may
 * write under the backups prefix (the app's role may) can put objects there. Everything that can be
 * checked is checked before the target exists, in this order, and a failure is a BackupRefused naming
 * the problem:
 *   1. the metadata exists, has the expected shape and names the key context this restore expects,
 *      which it builds from the backup id it was asked for before reading anything;
 *   2. the backup's data key unwraps under the backup master key with that context (a missing local
 *      key file is reported as such, before a new one would be made);
 *   3. the metadata's MAC verifies under that key (tampered metadata);
 *   4. the target database does not exist (so a failed restore can drop it without harming anything);
 *   5. first pass over the stored file: its length and SHA-256 equal the metadata's, and every frame
 *      authenticates (a changed byte, a truncated or extended file).
 * Then the database is created and a second pass decrypts into the `mariadb`/`mysql` client, each
 * frame released only after its tag verifies (so a file changed between the passes is still caught);
 * any failure drops the new database. The source database is never connected to.
 */

export interface RestoreOptions {
  backupId: string;
  targetDatabaseUrl: string;
  /** `rds` in production: every connection, the loading client's included, is TLS with the server's certificate verified. */
  tls?: DatabaseTls;
  /** The backups' own master key (backup-key.ts), never the field key provider. */
  backupKey: BackupMasterKey;
  store: ObjectStore;
  log?: (line: string) => void;
}

export interface RestoreResult {
  metadata: BackupMetadata;
  database: string;
  seconds: number;
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const { backupId, targetDatabaseUrl, backupKey, store } = options;
  const tls = options.tls ?? 'off';
  const log = options.log ?? (() => {});
  const { serverUrl, database } = parseDatabaseUrl(targetDatabaseUrl);
  const { metadata, keys } = await openBackup(store, backupId, backupKey);
  try {
    await assertTargetFree(serverUrl, database, tls);
    await checkStoredFile(store, metadata, keys);
    log(`backup ${backupId}: metadata and all ${metadata.cipher.frames} frames authenticate`);
    const client = await safeClient();
    await createTarget(serverUrl, database, metadata, tls);
    try {
      await load(store, metadata, keys, targetDatabaseUrl, tls, client);
    } catch (error) {
      await dropDatabase(targetDatabaseUrl, tls).catch(() => {});
      if (error instanceof BackupRefused) throw error;
      // A SQL error quotes the row it choked on ("Duplicate entry 'x' for key …"): keep the quotes out of logs and reports.
      const why = (error as Error).message.replace(/'[^']*'/g, "'…'");
      throw new BackupRefused('load_failed', `Loading backup ${backupId} into ${database} failed, and ${database} was dropped: ${why}`);
    }
  } finally {
    keys.frames.fill(0);
    keys.metadata.fill(0);
  }
  const seconds = (performance.now() - started) / 1000;
  log(`backup ${backupId} restored into ${database} in ${seconds.toFixed(2)} s`);
  return { metadata, database, seconds };
}

async function assertTargetFree(serverUrl: string, database: string, tls: DatabaseTls): Promise<void> {
  const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 5000, ...sslOption(tls) });
  try {
    const [schemata] = await connection.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
    if ((schemata as unknown[]).length === 0) return;
    const [[row]] = (await connection.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database])) as unknown as [
      [{ n: number }],
    ];
    const tables = Number(row.n);
    throw new BackupRefused(
      'target_exists',
      `The target database ${database} already exists${tables > 0 ? ` and has ${tables} table${tables === 1 ? '' : 's'}` : ''}: ` +
        'a restore never writes into an existing database. Name a new one.',
    );
  } finally {
    await connection.end();
  }
}

/**
 * Steps 1, 3 and 4: the metadata of `backupId` once the backup key vouches for it, with the backup's keys
 * (the caller zeroes them). The key context is built from the id asked for, before the metadata is read.
 */
export async function openBackup(store: ObjectStore, backupId: string, backupKey: BackupMasterKey): Promise<{ metadata: BackupMetadata; keys: BackupKeys }> {
  const context = backupKeyContext(backupId);
  const metadata = await readMetadata(store, backupId);
  assertKeyContext(metadata, context);
  const keys = await openKeys(metadata, backupKey);
  const { mac, ...unsigned } = metadata;
  if (macMatches(keys.metadata, unsigned, mac)) return { metadata, keys };
  keys.frames.fill(0);
  keys.metadata.fill(0);
  throw new BackupRefused(
    'metadata_altered',
    `The metadata of backup ${backupId} has been altered: its MAC does not verify under the backup's key; refusing it`,
  );
}

/** A key made for another purpose or another backup (or by the field key, as backups before issue 16 were) is not this backup's. */
function assertKeyContext(metadata: BackupMetadata, expected: object): void {
  const named = metadata.key.context as unknown;
  if (canonicalJson(named ?? null) === canonicalJson(expected)) return;
  throw new BackupRefused(
    'key_context',
    `Backup ${metadata.id} was made under the key context ${JSON.stringify(named)}, not ${JSON.stringify(expected)}: ` +
      'it was not made by the backup command under the backup key; refusing it',
  );
}

/** The backup's frame and MAC keys, or a refusal that says which key problem it is. */
async function openKeys(metadata: BackupMetadata, backupKey: BackupMasterKey): Promise<BackupKeys> {
  const { id } = metadata;
  const madeUnder = metadata.key.masterKeyId;
  const missing = backupKey.missing();
  if (missing) {
    throw new BackupRefused(
      'key_missing',
      `Backup ${id} cannot be decrypted: ${missing} (deleted, or this is not the installation that made the backup, whose key was ${madeUnder}); refusing it`,
    );
  }
  let dataKey: Buffer;
  try {
    // The id asked for, not the metadata's: the context is pinned before anything stored is believed.
    dataKey = await backupKey.unwrap(id, Buffer.from(metadata.key.wrapped, 'base64'));
  } catch (error) {
    throw unwrapRefusal(metadata, backupKey, error as Error);
  }
  try {
    return deriveBackupKeys(dataKey);
  } finally {
    dataKey.fill(0);
  }
}

function unwrapRefusal(metadata: BackupMetadata, backupKey: BackupMasterKey, error: Error): BackupRefused {
  const { id } = metadata;
  const madeUnder = metadata.key.masterKeyId;
  if (backupKey.id.startsWith('local:')) {
    const ours = backupKey.id;
    if (ours !== madeUnder) {
      return new BackupRefused(
        'foreign_key',
        `Backup ${id} does not unwrap under the backup key ${ours}: it was made under ${madeUnder} (another installation's backup key, ` +
          'or a key that is not a backup key); refusing it',
      );
    }
    return new BackupRefused(
      'metadata_altered',
      `The data key in the metadata of backup ${id} does not unwrap under ${ours}, the key the metadata names: the metadata was altered; refusing it`,
    );
  }
  // KMS: say what the service said, sorted into the cases an operator acts on differently.
  if (/KMSInvalidStateException|DisabledException|NotFoundException|pending deletion|is disabled/i.test(error.message)) {
    return new BackupRefused(
      'key_missing',
      `Backup ${id} cannot be decrypted: its KMS key (${madeUnder}) is disabled, pending deletion or deleted (${error.message}); refusing it`,
    );
  }
  if (/InvalidCiphertextException|IncorrectKeyException/.test(error.message)) {
    return new BackupRefused(
      'foreign_key',
      `Backup ${id} was made under another key (${madeUnder}) than this installation's KMS key, or its metadata was altered (${error.message}); refusing it`,
    );
  }
  return new BackupRefused('key_unusable', `The data key of backup ${id} could not be unwrapped by the key provider: ${error.message}`);
}

/** First pass: length, SHA-256 and every frame's tag, with no output. */
async function checkStoredFile(store: ObjectStore, metadata: BackupMetadata, keys: BackupKeys): Promise<void> {
  const reader = new FrameReader(keys.frames, metadata.id, metadata.cipher.frameBytes);
  const hash = createHash('sha256');
  let bytes = 0;
  let frameError: Error | undefined;
  // Read to the end even after a frame fails: the length and hash name the problem best.
  for await (const chunk of await store.getStream(PLATFORM, metadata.object)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    if (frameError) continue;
    try {
      reader.feed(buffer);
    } catch (error) {
      frameError = error as Error;
    }
  }
  if (!frameError) {
    try {
      reader.finish();
    } catch (error) {
      frameError = error as Error;
    }
  }
  const expected = metadata.sizes.ciphertextBytes;
  const what = `The stored file of backup ${metadata.id} (${metadata.object})`;
  if (bytes < expected) throw new BackupRefused('truncated', `${what} is truncated: ${bytes} of ${expected} bytes; refusing it`);
  if (bytes > expected) throw new BackupRefused('extra_bytes', `${what} has ${bytes - expected} bytes more than the backup wrote; refusing it`);
  if (hash.digest('hex') !== metadata.ciphertextSha256) {
    throw new BackupRefused('altered', `${what} has been altered: its SHA-256 differs from the metadata's (one or more bytes changed); refusing it`);
  }
  if (frameError) throw frameRefusal(metadata, frameError);
}

function frameRefusal(metadata: BackupMetadata, error: Error): BackupRefused {
  const what = `The stored file of backup ${metadata.id}`;
  if (!(error instanceof FrameError)) return new BackupRefused('altered', `${what} could not be read: ${error.message}`);
  const reason = error.problem === 'truncated' ? 'truncated' : error.problem === 'extra_bytes' ? 'extra_bytes' : 'altered';
  return new BackupRefused(reason, `${what} is not intact: ${error.message}; refusing it`);
}

async function createTarget(serverUrl: string, database: string, metadata: BackupMetadata, tls: DatabaseTls): Promise<void> {
  const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 5000, ...sslOption(tls) });
  try {
    const charset = /^[A-Za-z0-9_]+$/.test(metadata.source.charset) ? metadata.source.charset : 'utf8mb4';
    const collation = /^[A-Za-z0-9_]+$/.test(metadata.source.collation) ? metadata.source.collation : 'utf8mb4_unicode_ci';
    // No IF NOT EXISTS: if someone created it since the check, this fails instead of writing into theirs.
    await connection.query(`CREATE DATABASE ${quoteIdentifier(database)} CHARACTER SET ${charset} COLLATE ${collation}`);
  } catch (error) {
    if ((error as { errno?: number }).errno === 1007) {
      throw new BackupRefused('target_exists', `The target database ${database} was created by someone else during the restore; refusing to write into it`);
    }
    throw error;
  } finally {
    await connection.end();
  }
}

/** The command-line client, if it can be told to run nothing but SQL. */
async function safeClient(): Promise<string> {
  const binary = clientTool();
  if (await canLoadSafely(binary)) return binary;
  throw new BackupRefused(
    'unsafe_client',
    `${binary} does not support ${LOAD_FLAGS.join(' ')}: without them a line in the dump could run a shell command on this host. ` +
      'Install a MariaDB client (10.5.25, 10.11.8, 11.x or later: apt-get install -y mariadb-client); refusing to load',
  );
}

/** Second pass: decrypt frame by frame into the command-line client, which runs SQL only. */
async function load(
  store: ObjectStore,
  metadata: BackupMetadata,
  keys: BackupKeys,
  targetDatabaseUrl: string,
  tls: DatabaseTls,
  binary: string,
): Promise<void> {
  const { database } = parseDatabaseUrl(targetDatabaseUrl);
  const credentials = await clientCredentials(targetDatabaseUrl, tls);
  const client = runTool(binary, [credentials.argument, ...LOAD_FLAGS, '--default-character-set=utf8mb4', '--batch', database], 'pipe');
  try {
    const decoder = new FrameDecoder(keys.frames, metadata.id, metadata.cipher.frameBytes);
    const source = await store.getStream(PLATFORM, metadata.object);
    await Promise.all([pipeline(source, decoder, client.child.stdin!), client.succeeded()]).catch(async (error: Error) => {
      client.kill();
      // The client's own message (a SQL error) explains more than the broken pipe it caused.
      const clientError = await client.succeeded().then(
        () => undefined,
        (e: Error) => e,
      );
      if (error instanceof FrameError) throw frameRefusal(metadata, error);
      throw clientError && !/SIGKILL/.test(clientError.message) ? clientError : error;
    });
    if (decoder.sha256 !== metadata.ciphertextSha256) {
      throw new BackupRefused('altered', `The stored file of backup ${metadata.id} changed while it was being restored; refusing it`);
    }
  } finally {
    client.kill();
    await credentials.remove();
  }
}
