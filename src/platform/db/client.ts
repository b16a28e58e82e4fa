import mysql, { type ConnectionOptions, type Pool, type PoolOptions } from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { sslOption, type DatabaseTls } from './tls.js';

export type Db = MySql2Database<Record<string, never>>;

export interface Database {
  db: Db;
  pool: Pool;
  /** Answers when the server does, within the timeout: readiness must never hang. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  tls?: DatabaseTls;
}

/** One connection's options (the migrate command's); a pool adds its size and keep-alive. */
export function connectionOptions(options: Omit<DatabaseOptions, 'poolSize'>): ConnectionOptions {
  return {
    uri: options.url,
    // Dates are stored and read as UTC; the views turn them into IST.
    timezone: 'Z',
    dateStrings: ['DATE'],
    connectTimeout: 5000,
    supportBigNumbers: true,
    charset: 'utf8mb4_unicode_ci',
    ...sslOption(options.tls),
  };
}

export function poolOptions(options: DatabaseOptions): PoolOptions {
  return { ...connectionOptions(options), connectionLimit: options.poolSize ?? 10, enableKeepAlive: true };
}

export function createDatabase(options: DatabaseOptions): Database {
  const pool = mysql.createPool(poolOptions(options));
  const db = drizzle(pool, { mode: 'default' }) as unknown as Db;
  return {
    db,
    pool,
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([pool.query('SELECT 1'), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** Runs `work` in one transaction: writes that belong together land together or not at all. */
export async function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>, config?: { isolationLevel: 'read committed' }): Promise<T> {
  return db.transaction(async (tx) => work(tx as unknown as Db), config);
}

/** How many rows an UPDATE or DELETE changed, from drizzle's mysql2 result. */
export function affectedRows(result: unknown): number {
  return (result as [{ affectedRows: number }])[0].affectedRows;
}

/** The driver's error inside drizzle's wrapper (looked for on the error and its causes), when it has this code. */
function driverError(error: unknown, code: string): { message?: string } | undefined {
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === code) return e;
  }
  return undefined;
}

/** The unique key a write collided with, or undefined when the error is something else. */
export function duplicateKeyOf(error: unknown): string | undefined {
  const duplicate = driverError(error, 'ER_DUP_ENTRY');
  if (!duplicate) return undefined;
  return /for key '(?:[^.']+\.)?([^']+)'/.exec(duplicate.message ?? '')?.[1] ?? '';
}

/**
 * The column a value was too long for (strict mode refuses it), or undefined. A validator should
 * have caught it first; this turns a missed limit into a 400 naming the field instead of a 500.
 */
export function tooLongColumnOf(error: unknown): string | undefined {
  const tooLong = driverError(error, 'ER_DATA_TOO_LONG');
  if (!tooLong) return undefined;
  return /for column '([^']+)'/.exec(tooLong.message ?? '')?.[1] ?? '';
}
