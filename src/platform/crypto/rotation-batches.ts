import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { BlindIndexColumn, EncryptedColumn } from './encrypted-columns.js';
import type { FieldCipher } from './field-cipher.js';
import { CiphertextRejected } from './format.js';

/** One batch of a rotation (rotation.ts): re-encrypting values, or re-indexing blind indexes, with the cursor moved. */

/** One column's cursor: rows are visited in id order; `after` is the last id committed ('' before the first). */
export interface ColumnCursor {
  table: string;
  column: string;
  after: string;
  batches: number;
  rowsSeen: number;
  rowsReencrypted: number;
  rowsRejected: number;
  done: boolean;
}

export interface RotationCheckpoint {
  targetVersion: number;
  /** Whether the target version was already there when this job started (an earlier rotation's). */
  foundVersion: boolean;
  /** Values to visit, counted at the start (for the progress bar; writes meanwhile move it a little). */
  total: number;
  columns: ColumnCursor[];
  retired: boolean;
  /** From then on no instance writes under an older version: the key version's start plus the key cache lifetime (ISO time). */
  settledAt: string;
  /** Sweeps started (0 during the first pass); a sweep visits only values not under the target version. */
  sweep: number;
  /** The re-encrypted count when the current sweep started: a sweep that adds none ends the rotation. */
  sweepFrom: number;
}

export const sum = (state: RotationCheckpoint, field: 'rowsSeen' | 'rowsReencrypted' | 'rowsRejected') =>
  state.columns.reduce((total, c) => total + c[field], 0);

export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as [T[]];
  return result[0];
}

/** Where a batch writes: a column of a tenant's rows, visited in id order. */
interface BatchTarget {
  table: string;
  column: string;
  idColumn: string;
  tenantColumn: string;
}

/**
 * The batch both kinds share: the next rows of `target` after the cursor that match `pending`
 * (locked), each row's `read` column (when not null) given to `rewrite`, and the target column set to what it returns
 * (undefined: left as it is). A value that does not decrypt is counted, not fatal: the cipher has
 * already alerted, and stopping would block the tenant's rotation on one bad value.
 */
async function rewriteBatch(
  tx: Db,
  tenantId: string,
  state: RotationCheckpoint,
  target: BatchTarget,
  read: string,
  pending: SQL,
  batchSize: number,
  rewrite: (rowId: string, value: string) => Promise<string | undefined>,
) {
  const cursor = state.columns.find((c) => c.table === target.table && c.column === target.column)!;
  const table = sql.identifier(target.table);
  const id = sql.identifier(target.idColumn);
  const tenant = sql.identifier(target.tenantColumn);
  const batch = await rows<{ id: string; value: string | null }>(
    tx,
    sql`SELECT ${id} AS id, ${sql.identifier(read)} AS value FROM ${table}
        WHERE ${tenant} = ${tenantId} AND ${id} > ${cursor.after} AND ${pending}
        ORDER BY ${id} LIMIT ${sql.raw(String(batchSize))} FOR UPDATE`,
  );
  let changed = 0;
  let rejected = 0;
  for (const row of batch) {
    if (row.value === null) continue;
    let next: string | undefined;
    try {
      next = await rewrite(String(row.id), String(row.value));
    } catch (error) {
      if (!(error instanceof CiphertextRejected)) throw error;
      rejected++;
      continue;
    }
    if (next === undefined) continue;
    await tx.execute(sql`UPDATE ${table} SET ${sql.identifier(target.column)} = ${next} WHERE ${id} = ${row.id} AND ${tenant} = ${tenantId}`);
    changed++;
  }
  return afterBatch(state, cursor, batch, { changed, rejected });
}

/** Re-encrypts the next batch of one column; the job commits it with the moved cursor. */
export function reencryptBatch(tx: Db, cipher: FieldCipher, tenantId: string, state: RotationCheckpoint, column: EncryptedColumn, batchSize: number) {
  const value = sql.identifier(column.column);
  // A sweep looks only at values not yet under the target version (`v1:<version>:` starts each one).
  const stragglers = state.sweep > 0 ? sql` AND ${value} NOT LIKE ${`v1:${state.targetVersion}:%`}` : sql``;
  return rewriteBatch(tx, tenantId, state, column, column.column, sql`${value} IS NOT NULL${stragglers}`, batchSize, (rowId, ciphertext) =>
    cipher.reencrypt(tenantId, { table: column.table, column: column.column, rowId }, ciphertext, state.targetVersion),
  );
}

/**
 * The checkpoint once a batch is written: the column's cursor moved past it (done when it was empty)
 * and the progress line. A sweep meets again the values that did not decrypt before: only what it
 * changes is newly seen.
 */
function afterBatch(state: RotationCheckpoint, cursor: ColumnCursor, batch: { id: string }[], counts: { changed: number; rejected: number }) {
  const moved: ColumnCursor =
    batch.length === 0
      ? { ...cursor, done: true }
      : {
          ...cursor,
          after: String(batch[batch.length - 1]!.id),
          batches: cursor.batches + 1,
          rowsSeen: cursor.rowsSeen + (state.sweep > 0 ? counts.changed : batch.length),
          rowsReencrypted: cursor.rowsReencrypted + counts.changed,
          rowsRejected: cursor.rowsRejected + counts.rejected,
        };
  const checkpoint = { ...state, columns: state.columns.map((c) => (c === cursor ? moved : c)) };
  const message = `${cursor.table}.${cursor.column}: ${moved.done ? 'done' : `batch ${moved.batches}`}`;
  return { checkpoint, progress: { done: sum(checkpoint, 'rowsSeen'), total: state.total, message } };
}

/**
 * Writes the next batch of one blind-index column under the target version's index key, from the
 * plaintext of its encrypted source column. Only indexes not yet under that version are visited.
 */
export function reindexBatch(tx: Db, cipher: FieldCipher, tenantId: string, state: RotationCheckpoint, index: BlindIndexColumn, batchSize: number) {
  const column = sql.identifier(index.column);
  const pending = sql`${column} IS NOT NULL AND ${column} NOT LIKE ${`i${state.targetVersion}:%`}`;
  return rewriteBatch(tx, tenantId, state, index, index.sourceColumn, pending, batchSize, async (rowId, source) => {
    const plaintext = await cipher.decrypt(tenantId, { table: index.table, column: index.sourceColumn, rowId }, source);
    return cipher.blindIndexUnder(tenantId, index.purpose, plaintext, state.targetVersion);
  });
}
