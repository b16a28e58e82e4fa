/**
 * Which columns hold field ciphertexts, so rotation can find every value without platform/ knowing
 * any module. A module registers its columns at import time (top level of its schema.ts or index.ts),
 * e.g. `registerEncryptedColumn({ table: 'employees', column: 'pan_cipher', idColumn: 'id', tenantColumn: 'tenant_id' })`.
 * The names go into SQL as identifiers, so they are checked here, once.
 *
 * The associated data of each value must be `${tenant}/${table}/${column}/${row id}` with exactly
 * these table and column names (the SQL names), or rotation cannot decrypt it.
 */
export interface EncryptedColumn {
  table: string;
  column: string;
  /** The row id column (UUIDv7 or other app-made, orderable string id). */
  idColumn: string;
  tenantColumn: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const registry = new Map<string, EncryptedColumn>();

export function registerEncryptedColumn(column: EncryptedColumn): void {
  for (const [part, name] of Object.entries(column)) {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new Error(`encrypted column ${part} "${String(name)}" is not a plain SQL identifier`);
  }
  const key = `${column.table}.${column.column}`;
  const existing = registry.get(key);
  // Registering the same thing twice is harmless (a module imported by two entry points).
  if (existing && (existing.idColumn !== column.idColumn || existing.tenantColumn !== column.tenantColumn)) {
    throw new Error(`encrypted column ${key} is already registered with other id/tenant columns`);
  }
  registry.set(key, { ...column });
}

/** Registered columns in a stable order (table, then column). */
export function listEncryptedColumns(): EncryptedColumn[] {
  return [...registry.values()].sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

/** For tests that register a scratch table: forget it again afterwards. */
export function unregisterEncryptedColumn(table: string, column: string): void {
  registry.delete(`${table}.${column}`);
}

/**
 * A blind-index column (`table.column`) computed from the plaintext of the encrypted `sourceColumn` of
 * the same row under `purpose`: rotation decrypts the source and writes the index under the new key version.
 */
export interface BlindIndexColumn extends EncryptedColumn {
  sourceColumn: string;
  purpose: string;
}

const indexes = new Map<string, BlindIndexColumn>();

export function registerBlindIndex(index: BlindIndexColumn): void {
  for (const [part, name] of Object.entries(index)) {
    if (part !== 'purpose' && (typeof name !== 'string' || !IDENTIFIER.test(name)))
      throw new Error(`blind index ${part} "${String(name)}" is not a plain SQL identifier`);
  }
  indexes.set(`${index.table}.${index.column}`, { ...index });
}

export function listBlindIndexes(): BlindIndexColumn[] {
  return [...indexes.values()].sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}
