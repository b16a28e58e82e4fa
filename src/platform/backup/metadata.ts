import { randomBytes } from 'node:crypto';
import { ObjectNotFound, PLATFORM, type ObjectStore } from '../storage/index.js';
import type { EncryptedColumn } from '../crypto/index.js';
import type { SchemaVersion, TableFingerprint } from './checksums.js';
import { BACKUP_FORMAT } from './format.js';
import type { BackupKeyContext } from './backup-key.js';

/**
 * Where backups live and what their metadata says. Both objects sit in the platform namespace of the
 * object store (S3 `platform/backups/<id>/…`, locally `<DATA_DIR>/objects/_platform/backups/<id>/…`):
 *
 *     backups/<id>/dump.sql.enc     the encrypted dump (format.ts)
 *     backups/<id>/metadata.json    this file, written last: a backup without it is incomplete
 *     drills/<id>.json              drill reports (drill.ts)
 *
 * Ids are the UTC time to the millisecond plus 6 random hex digits (`20260522T031500123Z-4f2a9c`), so
 * they sort by time as plain strings and the newest backup is the last key listed.
 */

/**
 * Logical backups are kept 30 days: each object is locked that long (S3 Object Lock, GOVERNANCE, so not
 * even the app can delete it sooner), then the backup command prunes it (prune.ts). The S3 lifecycle
 * rule on `platform/backups/` (infra/) removes the versions left behind.
 */
export const BACKUP_RETENTION_DAYS = 30;
export const retainedUntil = (takenAt: Date) => new Date(takenAt.getTime() + BACKUP_RETENTION_DAYS * 24 * 3600_000);

const ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

export function newBackupId(at: Date): string {
  return `${timeOfId(at)}-${randomBytes(3).toString('hex')}`;
}

/** The part of a backup id that is its time (`20260522T031500123Z`). */
export const timeOfId = (at: Date) => at.toISOString().replace(/[-:.]/g, '');

export const isBackupId = (id: unknown): id is string => typeof id === 'string' && ID.test(id);
export const dumpKey = (id: string) => `backups/${id}/dump.sql.enc`;
export const metadataKey = (id: string) => `backups/${id}/metadata.json`;

export interface BackupMetadata {
  format: typeof BACKUP_FORMAT;
  id: string;
  /** When the snapshot was taken (ISO, UTC). */
  takenAt: string;
  source: {
    database: string;
    charset: string;
    collation: string;
    serverVersion: string;
    dumpTool: string;
    /**
     * `shared`: commits were held while the checksum connection and the dump started their
     * snapshots, so both saw the same data. `separate`: the server refused the brief hold (no
     * RELOAD privilege): concurrent writes may make the checksums disagree with the dump.
     */
    snapshot: 'shared' | 'separate';
  };
  schema: SchemaVersion & { codeMigrations: number };
  tables: TableFingerprint[];
  encryptedColumns: EncryptedColumn[];
  /** The data key wrapped by the backup master key (backup-key.ts) under `context`. */
  key: { context: BackupKeyContext; masterKeyId: string; wrapped: string };
  cipher: { algorithm: 'AES-256-GCM'; frameBytes: number; frames: number };
  sizes: { plaintextBytes: number; ciphertextBytes: number };
  ciphertextSha256: string;
  object: string;
  /** HMAC-SHA256 over the canonical JSON of everything above, under a key derived from the data key. */
  mac: string;
}

export type UnsignedMetadata = Omit<BackupMetadata, 'mac'>;

export type RefusalReason =
  | 'not_found'
  | 'metadata_unreadable'
  | 'metadata_altered'
  | 'key_missing'
  | 'key_context'
  | 'foreign_key'
  | 'key_unusable'
  | 'altered'
  | 'truncated'
  | 'extra_bytes'
  | 'target_exists'
  | 'unsafe_client'
  | 'load_failed';

/** A backup that will not be restored, and why. Nothing was created when this is thrown. */
export class BackupRefused extends Error {
  readonly code = 'backup_refused';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'BackupRefused';
  }
}

/** Ids of complete backups (metadata written), oldest first. */
export async function listBackups(store: ObjectStore): Promise<string[]> {
  const keys = await store.list(PLATFORM, 'backups/');
  return keys
    .map((key) => /^backups\/([^/]+)\/metadata\.json$/.exec(key)?.[1])
    .filter(isBackupId)
    .sort();
}

export async function latestBackupId(store: ObjectStore): Promise<string | undefined> {
  return (await listBackups(store)).at(-1);
}

/** The metadata as stored, shape-checked but not yet authenticated (see restore.ts). */
export async function readMetadata(store: ObjectStore, id: string): Promise<BackupMetadata> {
  if (!isBackupId(id)) throw new BackupRefused('not_found', `"${id}" is not a backup id (they look like 20260522T031500123Z-4f2a9c)`);
  let bytes: Buffer;
  try {
    bytes = await store.get(PLATFORM, metadataKey(id));
  } catch (error) {
    if (error instanceof ObjectNotFound) throw new BackupRefused('not_found', `No backup ${id}: ${metadataKey(id)} is not in object storage`);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BackupRefused('metadata_unreadable', `The metadata of backup ${id} is not valid JSON (damaged or altered); refusing it`);
  }
  const problem = shapeProblem(parsed, id);
  if (problem) throw new BackupRefused('metadata_unreadable', `The metadata of backup ${id} is not usable: ${problem}; refusing it`);
  return parsed as BackupMetadata;
}

/** Enough of a check that the restore can rely on the fields' types; the MAC checks their values. */
function shapeProblem(value: unknown, id: string): string | undefined {
  const m = value as Partial<BackupMetadata> | null;
  if (!m || typeof m !== 'object') return 'it is not an object';
  if (m.format !== BACKUP_FORMAT) return `its format is ${JSON.stringify(m.format)}, not ${BACKUP_FORMAT}`;
  if (m.id !== id) return `it names backup ${JSON.stringify(m.id)}`;
  if (typeof m.takenAt !== 'string' || Number.isNaN(Date.parse(m.takenAt))) return 'takenAt is not a time';
  if (!m.key || typeof m.key.wrapped !== 'string' || typeof m.key.masterKeyId !== 'string') return 'the key entry is incomplete';
  if (!m.cipher || !Number.isInteger(m.cipher.frameBytes) || m.cipher.frameBytes < 1) return 'the cipher entry is incomplete';
  if (!m.sizes || !Number.isInteger(m.sizes.ciphertextBytes)) return 'the sizes entry is incomplete';
  if (typeof m.ciphertextSha256 !== 'string' || typeof m.mac !== 'string') return 'the hash or MAC is missing';
  if (!Array.isArray(m.tables) || !m.schema || !m.source) return 'the tables, schema or source entry is missing';
  return undefined;
}
