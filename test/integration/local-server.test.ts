import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { startPrivateServer, findServerBinary } from '../../src/platform/db/local-server.js';

const binary = findServerBinary();

/** The fallback `npm run dev` and `npm test` use on a machine with MariaDB installed but not running. */
describe.runIf(binary)('private database server under the data directory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bz-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('initialises, starts on a free port, serves, and stops', async () => {
    const server = await startPrivateServer(binary!, path.join(dir, 'mariadb'), () => {});
    try {
      expect(server.started).toBe(true);
      expect(server.serverUrl).toMatch(/^mysql:\/\/root@127\.0\.0\.1:\d+\/$/);
      expect(existsSync(path.join(dir, 'mariadb', 'data', 'mysql'))).toBe(true);
      const connection = await mysql.createConnection(server.serverUrl);
      const [rows] = await connection.query('SELECT 1 + 1 AS two');
      await connection.end();
      expect((rows as { two: number }[])[0]!.two).toBe(2);
    } finally {
      await server.stop();
    }
    await expect(mysql.createConnection({ uri: server.serverUrl, connectTimeout: 1000 })).rejects.toThrow();
    expect(existsSync(path.join(dir, 'mariadb', 'port'))).toBe(false);
  }, 120_000);
});
