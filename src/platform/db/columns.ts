import { sql } from 'drizzle-orm';
import { char, datetime } from 'drizzle-orm/mysql-core';
import { uuidv7 } from 'uuidv7';

/**
 * Row ids are UUIDv7, made in the app (not AUTO_INCREMENT) so a ciphertext's associated data can
 * name its row before the insert, and so ids leak no counts across tenants.
 */
export const newId = (): string => uuidv7();

export const idColumn = (name = 'id') => char(name, { length: 36 });

/** UTC instants with millisecond precision; CURRENT_TIMESTAMP(3) works on MySQL 8 and MariaDB. */
export const createdAt = () =>
  datetime('created_at', { mode: 'date', fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3)`);
export const updatedAt = () =>
  datetime('updated_at', { mode: 'date', fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3)`);
