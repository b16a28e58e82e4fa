import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import { parseDatabaseUrl } from '../db/admin.js';
import { sslOption, type DatabaseTls } from '../db/tls.js';
import { journalEntries } from '../db/migrate.js';
import { listEncryptedColumns } from '../crypto/index.js';
import { PLATFORM, type ObjectStore } from '../storage/index.js';
import { fingerprintTables, readStructure, startSnapshot } from './checksums.js';
import { BACKUP_FORMAT, DEFAULT_FRAME_BYTES, deriveBackupKeys, FrameEncoder, metadataMac } from './format.js';
import { backupKeyContext, type BackupMasterKey } from './backup-key.js';
import { dumpKey, metadataKey, newBackupId, retainedUntil, type BackupMetadata, type UnsignedMetadata } from './metadata.js';
import { clientCredentials, DUMP_FLAGS, dumpTool, runTool } from './tools.js';

/**
 * `takeBackup`: a consistent logical dump of one database, encrypted as it streams, into object storage.
 *
 *   mariadb-dump --single-transaction … ─stdout─▶ FrameEncoder (AES-256-GCM, fresh data key) ─▶ store.put
 *
 * The plaintext exists only in the pipe and in the one frame being sealed; it never touches disk.
 * With the local store the ciphertext streams to a file; the S3 store streams it as a multipart upload
 * (a few parts in memory at a time). Both objects are locked for BACKUP_RETENTION_DAYS (metadata.ts).
 *
 * Row counts and checksums come from a second connection that starts its snapshot at the same
 * instant as the dump's: commits are held for the few milliseconds between the two snapshot starts
 * (MariaDB `BACKUP STAGE BLOCK_COMMIT`, MySQL `FLUSH TABLES WITH READ LOCK`, as mysqldump itself does
 * for --master-data), so both see exactly the same data even while the app keeps writing. Reads are
 * never blocked; writers wait those milliseconds.
 */

export interface BackupOptions {
  databaseUrl: string;
  /** `rds` in production: every connection, the dump's included, is TLS with the server's certificate verified. */
  tls?: DatabaseTls;
  /** The backups' own master key (backup-key.ts), never the field key provider. */
  backupKey: BackupMasterKey;
  store: ObjectStore;
  now?: () => Date;
  frameBytes?: number;
  log?: (line: string) => void;
}

/** How long to wait for the commit hold and for the dump to start its snapshot before giving up. */
const HOLD_TIMEOUT_SECONDS = 10;

export async function takeBackup(options: BackupOptions): Promise<BackupMetadata> {
  const { databaseUrl, backupKey, store } = options;
  const tls = options.tls ?? 'off';
  const log = options.log ?? (() => {});
  const { database } = parseDatabaseUrl(databaseUrl);
  const takenAt = (options.now ?? (() => new Date()))();
  const id = newBackupId(takenAt);
  const frameBytes = options.frameBytes ?? DEFAULT_FRAME_BYTES;
  const dumpBinary = dumpTool();

  const dataKey = await backupKey.newDataKey(id);
  const keys = deriveBackupKeys(dataKey.plaintext);
  dataKey.plaintext.fill(0);

  let control: Connection | undefined;
  let snapshot: Connection | undefined;
  let credentials: Awaited<ReturnType<typeof clientCredentials>> | undefined;
  let written = false;
  try {
    control = await mysql.createConnection({ uri: databaseUrl, connectTimeout: 5000, ...sslOption(tls) });
    snapshot = await mysql.createConnection({ uri: databaseUrl, connectTimeout: 5000, supportBigNumbers: true, ...sslOption(tls) });
    credentials = await clientCredentials(databaseUrl, tls);
    const [[version]] = (await control.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
    const hold = await holdCommits(control);
    let started: StartedDump;
    try {
      written = true;
      started = await startDumpInSnapshot({
        snapshot,
        database,
        id,
        frameBytes,
        frameKey: keys.frames,
        store,
        retainUntil: retainedUntil(takenAt),
        dumpArgs: [dumpBinary, credentials.argument],
      });
    } finally {
      await hold.release();
    }
    const { structure, dump, encoder, streaming } = started;
    log(`snapshot taken (${hold.mode === 'none' ? 'separate snapshots: commits could not be held' : `commits held with ${hold.mode}`})`);

    // The server checksums the tables in the snapshot while the dump streams: two cores, two jobs.
    const [, fingerprints] = await settleAll([streaming, fingerprintTables(snapshot, database, structure.tables)] as const).catch((error: Error) => {
      dump.kill();
      throw error;
    });
    await snapshot.query('COMMIT');

    const unsigned: UnsignedMetadata = {
      format: BACKUP_FORMAT,
      id,
      takenAt: takenAt.toISOString(),
      source: {
        database,
        charset: structure.charset,
        collation: structure.collation,
        serverVersion: version.v,
        dumpTool: path.basename(dumpBinary),
        snapshot: hold.mode === 'none' ? 'separate' : 'shared',
      },
      schema: { ...structure.schema, codeMigrations: journalEntries() },
      tables: fingerprints,
      encryptedColumns: listEncryptedColumns(),
      key: { context: backupKeyContext(id), masterKeyId: dataKey.masterKeyId, wrapped: dataKey.wrapped.toString('base64') },
      cipher: { algorithm: 'AES-256-GCM', frameBytes, frames: encoder.stats.frames },
      sizes: { plaintextBytes: encoder.stats.plaintextBytes, ciphertextBytes: encoder.stats.ciphertextBytes },
      ciphertextSha256: encoder.stats.sha256,
      object: dumpKey(id),
    };
    const metadata: BackupMetadata = { ...unsigned, mac: metadataMac(keys.metadata, unsigned) };
    await store.put(PLATFORM, metadataKey(id), Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`), {
      contentType: 'application/json',
      retainUntil: retainedUntil(takenAt),
    });
    log(`backup ${id}: ${fingerprints.length} tables, ${metadata.sizes.plaintextBytes} bytes dumped, ${metadata.sizes.ciphertextBytes} bytes stored`);
    return metadata;
  } catch (error) {
    // Without its metadata a dump object is never offered for restore, but do not leave it lying around.
    if (written) await store.delete(PLATFORM, dumpKey(id)).catch(() => {});
    throw error;
  } finally {
    keys.frames.fill(0);
    keys.metadata.fill(0);
    await credentials?.remove();
    await Promise.allSettled([control?.end(), snapshot?.end()]);
  }
}

interface StartedDump {
  structure: Awaited<ReturnType<typeof readStructure>>;
  dump: ReturnType<typeof runTool>;
  encoder: FrameEncoder;
  /** Settles when the encrypted dump is stored (or failed). */
  streaming: Promise<unknown>;
}

/**
 * While commits are held: the checksum connection's snapshot and the schema it sees, then the dump,
 * streaming into storage, up to the moment its own snapshot exists.
 */
async function startDumpInSnapshot(args: {
  snapshot: Connection;
  database: string;
  id: string;
  frameBytes: number;
  frameKey: Buffer;
  store: ObjectStore;
  retainUntil: Date;
  dumpArgs: [binary: string, credentials: string];
}): Promise<StartedDump> {
  const [binary, credentials] = args.dumpArgs;
  await startSnapshot(args.snapshot);
  const structure = await readStructure(args.snapshot, args.database);
  const dump = runTool(binary, [credentials, ...DUMP_FLAGS, args.database], 'ignore');
  const firstTable = watchForFirstTable();
  const encoder = new FrameEncoder(args.frameKey, args.id, args.frameBytes, () => dump.succeeded());
  const streaming = Promise.all([
    pipeline(dump.child.stdout!, firstTable.tap, encoder),
    args.store.put(PLATFORM, dumpKey(args.id), encoder, { contentType: 'application/octet-stream', retainUntil: args.retainUntil }),
  ]);
  streaming.catch(() => {}); // awaited by the caller; this only keeps an early failure from going unobserved
  const limit = timeout(HOLD_TIMEOUT_SECONDS, 'the dump did not start its snapshot');
  try {
    await Promise.race([firstTable.seen, streaming, limit.expired]);
  } catch (error) {
    dump.kill();
    await streaming.catch(() => {});
    throw error;
  } finally {
    limit.cancel();
  }
  return { structure, dump, encoder, streaming };
}

interface CommitHold {
  mode: 'BACKUP STAGE' | 'FLUSH TABLES WITH READ LOCK' | 'none';
  release(): Promise<void>;
}

const ER_PARSE_ERROR = 1064;
const ACCESS_DENIED = new Set([1044, 1045, 1142, 1227]);

/**
 * Holds commits (not reads) server-wide until release(). MariaDB's BACKUP STAGE BLOCK_COMMIT does not
 * flush tables, so it waits for no long-running query; MySQL lacks it, so there FTWRL. A user without
 * the RELOAD privilege gets `none`, and the metadata says the snapshots were separate.
 */
async function holdCommits(connection: Connection): Promise<CommitHold> {
  await connection.query(`SET SESSION lock_wait_timeout = ${HOLD_TIMEOUT_SECONDS}`);
  const errno = (error: unknown) => (error as { errno?: number }).errno ?? 0;
  try {
    await connection.query('BACKUP STAGE START');
    try {
      await connection.query('BACKUP STAGE BLOCK_COMMIT');
    } catch (error) {
      await connection.query('BACKUP STAGE END').catch(() => {});
      throw error;
    }
    return { mode: 'BACKUP STAGE', release: async () => void (await connection.query('BACKUP STAGE END')) };
  } catch (error) {
    if (ACCESS_DENIED.has(errno(error))) return { mode: 'none', release: async () => {} };
    if (errno(error) !== ER_PARSE_ERROR) throw new Error(`could not hold commits for a consistent snapshot: ${(error as Error).message}`);
  }
  try {
    await connection.query('FLUSH TABLES WITH READ LOCK');
    return { mode: 'FLUSH TABLES WITH READ LOCK', release: async () => void (await connection.query('UNLOCK TABLES')) };
  } catch (error) {
    if (ACCESS_DENIED.has(errno(error))) return { mode: 'none', release: async () => {} };
    throw new Error(`could not hold commits for a consistent snapshot: ${(error as Error).message}`);
  }
}

/**
 * The dump prints its first table only after `START TRANSACTION WITH CONSISTENT SNAPSHOT` (mysqldump.c
 * starts the transaction before dumping any table), so seeing it means its snapshot exists. An empty
 * database never prints one; the end of the output then counts.
 */
function watchForFirstTable(): { tap: Transform; seen: Promise<void> } {
  let resolveSeen!: () => void;
  const seen = new Promise<void>((resolve) => (resolveSeen = resolve));
  let head = '';
  let found = false;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (!found) {
        head = (head + chunk.toString('latin1')).slice(-256 * 1024);
        if (/CREATE TABLE|Table structure for table/.test(head)) {
          found = true;
          head = '';
          resolveSeen();
        }
      }
      done(null, chunk);
    },
    flush(done) {
      resolveSeen();
      done();
    },
  });
  return { tap, seen };
}

function timeout(seconds: number, what: string): { expired: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${seconds} s`)), seconds * 1000);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

/** Like Promise.all, but waits for every promise to settle before rejecting with the first error. */
async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
