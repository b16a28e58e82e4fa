import { and, eq, sql } from 'drizzle-orm';
import { inTransaction, type Db } from '../db/client.js';
import { listBlindIndexes, listEncryptedColumns, type BlindIndexColumn, type EncryptedColumn } from './encrypted-columns.js';
import { tenantDataKeys } from './schema.js';

/**
 * Deletes a tenant's retired data key versions that nothing needs any more: no value of any registered
 * encrypted column under that version, no blind index under its index key, and, for version 1 while
 * indexes derived from its data key remain (written before index keys existed), not that one. A
 * version still needed is kept and named. Backups taken before keep their own copy of the key rows.
 */
export async function deleteRetiredDataKeys(
  db: Db,
  tenantId: string,
  options: {
    columns?: EncryptedColumn[];
    indexes?: BlindIndexColumn[];
    /** Writes the audit entry in the transaction that deletes; called only when some versions went. */
    record?: (tx: Db, deleted: number[]) => Promise<void>;
  } = {},
): Promise<{ deleted: number[]; kept: number[] }> {
  const columns = options.columns ?? listEncryptedColumns();
  const indexes = options.indexes ?? listBlindIndexes();
  return inTransaction(db, async (tx) => {
    const retired = await tx
      .select({ version: tenantDataKeys.version })
      .from(tenantDataKeys)
      .where(and(eq(tenantDataKeys.tenantId, tenantId), eq(tenantDataKeys.status, 'retired')))
      .orderBy(tenantDataKeys.version)
      .for('update');
    const deleted: number[] = [];
    const kept: number[] = [];
    for (const { version } of retired) {
      const patterns = [...columns.map((c) => [c, `v1:${version}:%`] as const), ...indexes.map((i) => [i, `i${version}:%`] as const)];
      let needed = false;
      for (const [column, pattern] of patterns) needed ||= await anyValue(tx, tenantId, column, sql`LIKE ${pattern}`);
      if (version === 1) for (const index of indexes) needed ||= await anyValue(tx, tenantId, index, sql`NOT LIKE 'i%'`);
      if (needed) {
        kept.push(version);
        continue;
      }
      await tx.delete(tenantDataKeys).where(and(eq(tenantDataKeys.tenantId, tenantId), eq(tenantDataKeys.version, version)));
      deleted.push(version);
    }
    if (deleted.length > 0) await options.record?.(tx, deleted);
    return { deleted, kept };
  });
}

async function anyValue(tx: Db, tenantId: string, column: EncryptedColumn, condition: ReturnType<typeof sql>): Promise<boolean> {
  const [found] = (await tx.execute(
    sql`SELECT 1 AS found FROM ${sql.identifier(column.table)} WHERE ${sql.identifier(column.tenantColumn)} = ${tenantId} AND ${sql.identifier(column.column)} ${condition} LIMIT 1`,
  )) as unknown as [unknown[]];
  return found.length > 0;
}
