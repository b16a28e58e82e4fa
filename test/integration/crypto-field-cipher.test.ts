import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CiphertextRejected, createFieldCipher, keyVersionOf, LocalKeyProvider, tenantDataKeys, type FieldCipher } from '../../src/platform/crypto/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('the field cipher over a real database', () => {
  let testDb: TestDatabase;
  let dataDir: string;
  let keyProvider: LocalKeyProvider;
  const alerts: { kind: string; details?: Record<string, unknown> }[] = [];
  const alert = (kind: string, details?: Record<string, unknown>) => void alerts.push({ kind, details });
  let cipher: FieldCipher;
  const tenant = newId();
  const otherTenant = newId();
  const pan = { table: 'employees', column: 'pan_cipher', rowId: newId() };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'bz-cipher-'));
    keyProvider = new LocalKeyProvider({ dataDir, isProduction: false });
    cipher = createFieldCipher({ db: testDb.database.db, keyProvider, alert });
  });
  afterAll(async () => {
    await testDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const newCipher = (options: Partial<Parameters<typeof createFieldCipher>[0]> = {}) =>
    createFieldCipher({ db: testDb.database.db, keyProvider, alert, ...options });

  async function keyRows(tenantId: string) {
    return testDb.database.db.select().from(tenantDataKeys).where(eq(tenantDataKeys.tenantId, tenantId));
  }

  async function rejection(promise: Promise<unknown>): Promise<CiphertextRejected> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CiphertextRejected);
    return error as CiphertextRejected;
  }

  it('encrypts and decrypts, creating the tenant data key on first use, stored only wrapped', async () => {
    const value = await cipher.encrypt(tenant, pan, 'ABCDE1234F');
    expect(value).toMatch(/^v1:1:/);
    expect(await cipher.decrypt(tenant, pan, value)).toBe('ABCDE1234F');
    // Another instance (cold cache) reads it too: the key comes from the database via the provider.
    expect(await newCipher().decrypt(tenant, pan, value)).toBe('ABCDE1234F');
    const rows = await keyRows(tenant);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 1, status: 'active', masterKeyId: keyProvider.masterKeyId });
    expect(Buffer.isBuffer(rows[0]!.wrappedKey)).toBe(true);
    expect(rows[0]!.wrappedKey).toHaveLength(61);
    expect(await cipher.currentVersion(tenant)).toBe(1);
  });

  it('creates exactly one data key when many requests on several instances use a new tenant at once', async () => {
    const fresh = newId();
    const instances = [newCipher(), newCipher(), newCipher()];
    const generate = vi.spyOn(keyProvider, 'generateDataKey');
    try {
      const where = (i: number) => ({ table: 'employees', column: 'pan_cipher', rowId: `row-${i}` });
      const values = await Promise.all(Array.from({ length: 30 }, (_, i) => instances[i % 3]!.encrypt(fresh, where(i), `PAN${i}`)));
      expect(await keyRows(fresh)).toHaveLength(1);
      // At most one key generated per instance (the in-process loads are shared), and only one kept.
      expect(generate.mock.calls.filter(([t, purpose]) => t === fresh && purpose !== 'blind-index').length).toBeLessThanOrEqual(3);
      for (const [i, value] of values.entries()) {
        for (const instance of instances) expect(await instance.decrypt(fresh, where(i), value)).toBe(`PAN${i}`);
      }
    } finally {
      generate.mockRestore();
    }
  });

  it('rejects a changed IV, tag, data or key version, and malformed values, with a reason and an alert', async () => {
    const value = await cipher.encrypt(tenant, pan, 'ABCDE1234F');
    const parts = value.split(':');
    const withPart = (index: number, replacement: string) => parts.map((p, i) => (i === index ? replacement : p)).join(':');
    const flipped = (index: number) => {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[bytes.length - 1]! ^= 0x80;
      return withPart(index, bytes.toString('base64url'));
    };
    const cases: [string, string][] = [
      [flipped(2), 'authentication_failed'],
      [flipped(3), 'authentication_failed'],
      [flipped(4), 'authentication_failed'],
      [withPart(1, '7'), 'unknown_key_version'],
      [withPart(0, 'v9'), 'unsupported_format'],
      ['ABCDE1234F', 'malformed'],
      [value.slice(0, -1), 'malformed'], // 13 base64url characters cannot encode whole bytes
      [parts.slice(0, 4).join(':'), 'malformed'],
    ];
    for (const [tampered, reason] of cases) {
      alerts.length = 0;
      const error = await rejection(cipher.decrypt(tenant, pan, tampered));
      expect(error.reason).toBe(reason);
      expect(error.message).toContain('employees.pan_cipher');
      expect(error.message).not.toContain('ABCDE1234F');
      expect(alerts).toEqual([
        { kind: 'crypto.decrypt_failed', details: { tenantId: tenant, table: 'employees', column: 'pan_cipher', rowId: pan.rowId, reason } },
      ]);
    }
  });

  it('refuses a ciphertext copied to another row, column, table or tenant', async () => {
    const value = await cipher.encrypt(tenant, pan, 'ABCDE1234F');
    await cipher.encrypt(otherTenant, pan, 'ZZZZZ9999Z'); // the other tenant has a key of its own
    const copies: [string, typeof pan][] = [
      [tenant, { ...pan, rowId: newId() }],
      [tenant, { ...pan, column: 'bank_account_cipher' }],
      [tenant, { ...pan, table: 'users' }],
      [otherTenant, pan],
    ];
    for (const [tenantId, where] of copies) {
      alerts.length = 0;
      const error = await rejection(cipher.decrypt(tenantId, where, value));
      expect(error.reason).toBe('authentication_failed');
      expect(alerts[0]).toMatchObject({ kind: 'crypto.decrypt_failed', details: { tenantId, rowId: where.rowId, reason: 'authentication_failed' } });
    }
    // A tenant that has no key at all cannot read it either.
    expect((await rejection(cipher.decrypt(newId(), pan, value))).reason).toBe('unknown_key_version');
    expect(await cipher.decrypt(tenant, pan, value)).toBe('ABCDE1234F');
  });

  it('refuses locations that would make the associated data ambiguous', async () => {
    await expect(cipher.encrypt(tenant, { ...pan, table: 'a/b' }, 'x')).rejects.toThrow(/without '\/'/);
    await expect(cipher.encrypt(tenant, { ...pan, rowId: '' }, 'x')).rejects.toThrow(/non-empty row id/);
  });

  it('gives a blind index that is stable within a tenant, differs across tenants and purposes, and is not stored', async () => {
    const index = await cipher.blindIndex(tenant, 'pan', 'ABCDE1234F');
    // Under key version 1's own index key (a new tenant's first version has one).
    expect(index).toMatch(/^i1:[0-9a-f]{64}$/);
    expect(await cipher.blindIndex(tenant, 'pan', 'ABCDE1234F')).toBe(index);
    expect(await newCipher().blindIndex(tenant, 'pan', 'ABCDE1234F')).toBe(index); // derived, not random per process
    expect(await cipher.blindIndex(otherTenant, 'pan', 'ABCDE1234F')).not.toBe(index);
    expect(await cipher.blindIndex(tenant, 'bank_account', 'ABCDE1234F')).not.toBe(index);
    expect(await cipher.blindIndex(tenant, 'pan', 'ABCDE1234G')).not.toBe(index);
    // Normalising is the caller's job: a different spelling is a different index.
    expect(await cipher.blindIndex(tenant, 'pan', 'abcde1234f')).not.toBe(index);
    await expect(cipher.blindIndex(tenant, 'PAN number', 'x')).rejects.toThrow(/purpose/);
    const [tables] = (await testDb.database.pool.query(
      `SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()`,
    )) as unknown as [{ TABLE_NAME: string; COLUMN_NAME: string }[]];
    for (const { TABLE_NAME, COLUMN_NAME } of tables) {
      const [hits] = (await testDb.database.pool.query(`SELECT COUNT(*) AS n FROM \`${TABLE_NAME}\` WHERE CAST(\`${COLUMN_NAME}\` AS CHAR) LIKE ?`, [
        `%${index.slice(3, 19)}%`,
      ])) as unknown as [{ n: number }[]];
      expect(Number(hits[0]!.n), `${TABLE_NAME}.${COLUMN_NAME}`).toBe(0);
    }
  });

  it('keeps at most maxEntries unwrapped keys in memory', async () => {
    const tenants = [newId(), newId(), newId()];
    const where = { table: 't', column: 'c', rowId: 'r' };
    const values = await Promise.all(tenants.map((t) => cipher.encrypt(t, where, t)));
    const unwrap = vi.spyOn(keyProvider, 'unwrap');
    try {
      const small = newCipher({ cache: { maxEntries: 2, ttlMs: 60_000 } });
      const read = async (i: number) => expect(await small.decrypt(tenants[i]!, where, values[i]!)).toBe(tenants[i]);
      await read(0);
      await read(1);
      expect(unwrap).toHaveBeenCalledTimes(2);
      await read(0); // cached
      await read(1);
      expect(unwrap).toHaveBeenCalledTimes(2);
      await read(2); // a third tenant pushes out the least recently used (tenant 0)
      expect(unwrap).toHaveBeenCalledTimes(3);
      await read(1);
      expect(unwrap).toHaveBeenCalledTimes(3);
      await read(0);
      expect(unwrap).toHaveBeenCalledTimes(4);
      expect(unwrap.mock.calls.map(([t]) => t)).toEqual([tenants[0], tenants[1], tenants[2], tenants[0]]);
    } finally {
      unwrap.mockRestore();
    }
  });

  it('forgets unwrapped keys after the time to live', async () => {
    const where = { table: 't', column: 'c', rowId: 'r' };
    const value = await cipher.encrypt(tenant, where, 'secret');
    let now = 1_000_000;
    const unwrap = vi.spyOn(keyProvider, 'unwrap');
    try {
      const timed = newCipher({ cache: { ttlMs: 30_000, maxEntries: 100 }, now: () => now });
      expect(await timed.decrypt(tenant, where, value)).toBe('secret');
      expect(unwrap).toHaveBeenCalledTimes(1);
      now += 29_999;
      expect(await timed.decrypt(tenant, where, value)).toBe('secret');
      expect(unwrap).toHaveBeenCalledTimes(1);
      now += 1;
      expect(await timed.decrypt(tenant, where, value)).toBe('secret');
      expect(unwrap).toHaveBeenCalledTimes(2);
    } finally {
      unwrap.mockRestore();
    }
  });

  it('zeroes an unwrapped key when it leaves the cache, by time or by room', async () => {
    const tenants = [newId(), newId()];
    const where = { table: 't', column: 'c', rowId: 'r' };
    const values = await Promise.all(tenants.map((t) => cipher.encrypt(t, where, t)));
    let now = 1_000_000;
    const unwrap = vi.spyOn(keyProvider, 'unwrap');
    try {
      const small = newCipher({ cache: { ttlMs: 30_000, maxEntries: 1 }, now: () => now });
      const unwrapped = async (call: number) => (await unwrap.mock.results[call]!.value) as Buffer;
      const zeroed = (key: Buffer) => key.equals(Buffer.alloc(32));
      await small.decrypt(tenants[0]!, where, values[0]!);
      const first = await unwrapped(0);
      expect(zeroed(first)).toBe(false);
      now += 30_000; // its time is up: the next read finds it expired
      await small.decrypt(tenants[0]!, where, values[0]!);
      expect(zeroed(first)).toBe(true);
      const second = await unwrapped(1);
      await small.decrypt(tenants[1]!, where, values[1]!); // no room for two: the other key goes
      expect(zeroed(second)).toBe(true);
      expect(zeroed(await unwrapped(2))).toBe(false);
    } finally {
      unwrap.mockRestore();
    }
  });

  it('shares one unwrap among concurrent reads of a cold key', async () => {
    const where = { table: 't', column: 'c', rowId: 'r' };
    const value = await cipher.encrypt(tenant, where, 'secret');
    const unwrap = vi.spyOn(keyProvider, 'unwrap');
    try {
      const cold = newCipher();
      const plaintexts = await Promise.all(Array.from({ length: 25 }, () => cold.decrypt(tenant, where, value)));
      expect(new Set(plaintexts)).toEqual(new Set(['secret']));
      expect(unwrap).toHaveBeenCalledTimes(1);
    } finally {
      unwrap.mockRestore();
    }
  });

  it('gives the masked form, and a remembered one only for the same value at the same place of the same tenant', async () => {
    const where = { table: 'employees', column: 'pan_cipher', rowId: newId() };
    const value = await cipher.encrypt(tenant, where, 'ABCDE1234F');
    expect(await cipher.decryptMasked(tenant, where, value)).toBe('XXXXXX234F');
    expect(await cipher.decryptMasked(tenant, where, value)).toBe('XXXXXX234F');
    // A new value at the same place is a new ciphertext: read afresh, on any instance.
    const changed = await cipher.encrypt(tenant, where, 'ABCDE9876Z');
    expect(await cipher.decryptMasked(tenant, where, changed)).toBe('XXXXXX876Z');
    // The remembered value copied to another row, column or tenant is refused and alerted, every time.
    alerts.length = 0;
    for (const [tenantId, place] of [
      [tenant, { ...where, rowId: newId() }],
      [tenant, { ...where, column: 'bank_account_cipher' }],
      [otherTenant, where],
    ] as const) {
      for (let attempt = 0; attempt < 2; attempt++)
        expect((await rejection(cipher.decryptMasked(tenantId, place, value))).reason).toBe('authentication_failed');
    }
    expect(alerts.filter((a) => a.kind === 'crypto.decrypt_failed')).toHaveLength(6);
    await expect(cipher.decryptMasked(tenant, { ...where, rowId: 'a/b' }, value)).rejects.toThrow(/without '\/'/);
  });

  it('a remembered masked value goes when the key it was read with leaves the key cache', async () => {
    const where = { table: 't', column: 'c', rowId: 'r' };
    const value = await cipher.encrypt(tenant, where, '123456789012');
    let now = 1_000_000;
    const unwrap = vi.spyOn(keyProvider, 'unwrap');
    try {
      const timed = newCipher({ cache: { ttlMs: 30_000, maxEntries: 100 }, now: () => now });
      expect(await timed.decryptMasked(tenant, where, value)).toBe('XXXXXX9012');
      now += 29_999;
      expect(await timed.decryptMasked(tenant, where, value)).toBe('XXXXXX9012');
      expect(unwrap).toHaveBeenCalledTimes(1);
      now += 1; // the key's time is up: the memo does not answer without it
      unwrap.mockRejectedValueOnce(new Error('key disabled in KMS'));
      await expect(timed.decryptMasked(tenant, where, value)).rejects.toThrow('key disabled in KMS');
      expect(unwrap).toHaveBeenCalledTimes(2);
    } finally {
      unwrap.mockRestore();
    }
  });

  it('re-encrypts under a named version only when the value is not already there', async () => {
    const value = await cipher.encrypt(tenant, pan, 'ABCDE1234F');
    expect(keyVersionOf(value)).toBe(1);
    expect(await cipher.reencrypt(tenant, pan, value, 1)).toBeUndefined();
    await expect(cipher.reencrypt(tenant, pan, value, 5)).rejects.toThrow(/no data key version 5/);
  });
});
