import { PLATFORM, type ObjectStore } from '../storage/index.js';
import { BACKUP_RETENTION_DAYS, dumpKey, isBackupId, listBackups, metadataKey, readMetadata, timeOfId } from './metadata.js';

/**
 * `pruneBackups`: removes the backups taken more than BACKUP_RETENTION_DAYS ago, by the time in their
 * metadata, except the newest complete backup, which is kept however old it is (a restore needs one).
 * Each is recorded (`record`, the caller's audit entry) before it is deleted, so no deletion goes
 * unrecorded; its metadata goes first, so a prune cut short never leaves a backup that looks complete.
 *
 * The metadata is not authenticated here (that needs the backup key), so its time must agree with the
 * backup's id, which the backup command made from the same clock reading: a metadata.json planted with an
 * old time cannot get a recent backup pruned. And Object Lock refuses to delete any version early anyway.
 * Dump objects without metadata (a backup that failed, a prune cut short) go once their id is past retention.
 */

export interface PrunedBackup {
  id: string;
  /** From the metadata; for a dump without metadata, the time of its id. */
  takenAt: string;
}

export interface PruneOptions {
  store: ObjectStore;
  now: Date;
  record: (backup: PrunedBackup) => Promise<void>;
  log?: (line: string) => void;
}

const DAY_MS = 24 * 3600_000;

export async function pruneBackups(options: PruneOptions): Promise<PrunedBackup[]> {
  const { store, now, record } = options;
  const log = options.log ?? (() => {});
  const cutoff = now.getTime() - BACKUP_RETENTION_DAYS * DAY_MS;
  const complete = await listBackups(store);
  const newest = complete.at(-1);
  const pruned: PrunedBackup[] = [];
  const prune = async (backup: PrunedBackup) => {
    await record(backup);
    await store.delete(PLATFORM, metadataKey(backup.id));
    await store.delete(PLATFORM, dumpKey(backup.id));
    pruned.push(backup);
    log(`pruned backup ${backup.id} taken ${backup.takenAt} (kept ${BACKUP_RETENTION_DAYS} days)`);
  };

  for (const id of complete) {
    if (id === newest) continue;
    const takenAt = await trustedTime(store, id);
    if (!takenAt) {
      log(`kept backup ${id}: its metadata is unreadable or its time disagrees with its id`);
      continue;
    }
    if (takenAt.getTime() < cutoff) await prune({ id, takenAt: takenAt.toISOString() });
  }
  for (const id of await incompleteBackups(store, complete)) {
    const takenAt = timeFromId(id);
    if (takenAt && takenAt.getTime() < cutoff) await prune({ id, takenAt: takenAt.toISOString() });
  }
  return pruned;
}

async function trustedTime(store: ObjectStore, id: string): Promise<Date | undefined> {
  try {
    const takenAt = new Date((await readMetadata(store, id)).takenAt);
    return id.startsWith(`${timeOfId(takenAt)}-`) ? takenAt : undefined;
  } catch {
    return undefined;
  }
}

/** Ids under `backups/` with objects but no metadata.json. */
async function incompleteBackups(store: ObjectStore, complete: string[]): Promise<string[]> {
  const ids = new Set((await store.list(PLATFORM, 'backups/')).map((key) => key.split('/')[1]).filter(isBackupId));
  return [...ids].filter((id) => !complete.includes(id)).sort();
}

function timeFromId(id: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(id);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`) : undefined;
}
