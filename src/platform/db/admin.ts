import mysql from 'mysql2/promise';
import { sslOption, type DatabaseTls } from './tls.js';

/** Splits a mysql:// URL into the server part and the database name. */
export function parseDatabaseUrl(url: string): { serverUrl: string; database: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new Error(`database name "${database}" must be letters, digits and underscores`);
  parsed.pathname = '/';
  return { serverUrl: parsed.toString(), database };
}

export function withDatabase(serverUrl: string, database: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const ER_BAD_DB_ERROR = 1049;

/**
 * Connecting to a server that lacks the named database creates it. The database is tried first:
 * a production user may lack CREATE rights on a database that already exists.
 */
export async function ensureDatabase(url: string): Promise<'existed' | 'created'> {
  try {
    const connection = await mysql.createConnection({ uri: url, connectTimeout: 5000 });
    await connection.end();
    return 'existed';
  } catch (error) {
    if ((error as { errno?: number }).errno !== ER_BAD_DB_ERROR) throw error;
  }
  const { serverUrl, database } = parseDatabaseUrl(url);
  const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 5000 });
  try {
    // utf8mb4_unicode_ci exists on both MySQL 8 and MariaDB (utf8mb4_0900_* is MySQL-only).
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  return 'created';
}

export async function dropDatabase(url: string, tls: DatabaseTls = 'off'): Promise<void> {
  const { serverUrl, database } = parseDatabaseUrl(url);
  const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 5000, ...sslOption(tls) });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}
