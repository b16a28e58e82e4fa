import crypto, { randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import {
  associatedData,
  CiphertextRejected,
  keyVersionOf,
  openField,
  parseCiphertext,
  sealField,
  type ParsedCiphertext,
} from '../../src/platform/crypto/format.js';

const key = randomBytes(32);
const tenant = '0192f3a0-0000-7000-8000-000000000001';
const where = { table: 'employees', column: 'pan_cipher', rowId: '0192f3a0-0000-7000-8000-0000000000aa' };
const aad = associatedData(tenant, where);

function parsed(value: string): ParsedCiphertext {
  const result = parseCiphertext(value);
  if (typeof result === 'string') throw new Error(`expected a ciphertext, got ${result}`);
  return result;
}

/** Flips one bit of one base64url part of a ciphertext (index 2 = IV, 3 = tag, 4 = data). */
function flip(value: string, part: 2 | 3 | 4): string {
  const parts = value.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('the v1 ciphertext format', () => {
  it('is v1:<keyVersion>:<iv>:<tag>:<ciphertext> and round-trips', () => {
    const value = sealField(key, 3, aad, 'ABCDE1234F');
    expect(value).toMatch(/^v1:3:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{14}$/);
    expect(value).not.toContain('ABCDE1234F');
    expect(value).toHaveLength(59);
    expect(keyVersionOf(value)).toBe(3);
    expect(openField(key, aad, parsed(value))).toBe('ABCDE1234F');
  });

  it('round-trips empty, non-ASCII and long values', () => {
    for (const plaintext of ['', 'ಬೆಂಗಳೂರು ₹ 1,00,000', 'x'.repeat(4096)]) {
      expect(openField(key, aad, parsed(sealField(key, 1, aad, plaintext)))).toBe(plaintext);
    }
  });

  it('uses a fresh IV for every value: the same plaintext never gives the same ciphertext', () => {
    const values = new Set(Array.from({ length: 200 }, () => sealField(key, 1, aad, '1234')));
    expect(values.size).toBe(200);
    const ivs = new Set([...values].map((v) => v.split(':')[2]));
    expect(ivs.size).toBe(200);
  });

  it('draws each IV from the CSPRNG when the value is sealed, not from a pool a cloned process would replay', () => {
    // Named imports of node:crypto follow the module object once synced, so the spy sees format.ts's calls.
    const draw = vi.spyOn(crypto, 'randomBytes');
    syncBuiltinESMExports();
    try {
      const values = [sealField(key, 1, aad, 'A'), sealField(key, 1, aad, 'B'), sealField(key, 1, aad, 'C')];
      const drawn = draw.mock.calls.map((call, i) => [call[0], draw.mock.results[i]!.value as Buffer] as const).filter(([size]) => size === 12);
      expect(drawn.map(([, bytes]) => bytes.toString('base64url'))).toEqual(values.map((v) => v.split(':')[2]));
    } finally {
      draw.mockRestore();
      syncBuiltinESMExports();
    }
  });

  it('fails authentication when the IV, tag or data is changed, or under another key', () => {
    const value = sealField(key, 1, aad, 'ABCDE1234F');
    expect(openField(key, aad, parsed(flip(value, 2)))).toBeUndefined();
    expect(openField(key, aad, parsed(flip(value, 3)))).toBeUndefined();
    expect(openField(key, aad, parsed(flip(value, 4)))).toBeUndefined();
    expect(openField(randomBytes(32), aad, parsed(value))).toBeUndefined();
  });

  it('binds the value to tenant, table, column and row through the associated data', () => {
    const value = sealField(key, 1, aad, 'ABCDE1234F');
    const elsewhere = [
      associatedData(tenant, { ...where, rowId: '0192f3a0-0000-7000-8000-0000000000bb' }),
      associatedData(tenant, { ...where, column: 'bank_account_cipher' }),
      associatedData(tenant, { ...where, table: 'users' }),
      associatedData('0192f3a0-0000-7000-8000-000000000002', where),
    ];
    for (const other of elsewhere) expect(openField(key, other, parsed(value))).toBeUndefined();
    expect(openField(key, aad, parsed(value))).toBe('ABCDE1234F');
  });

  it.each([
    ['a plaintext PAN', 'ABCDE1234F'],
    ['an empty string', ''],
    ['too few parts', 'v1:1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA'],
    ['too many parts', 'v1:1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAA:AAAA'],
    ['a version of 0', 'v1:0:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAA'],
    ['a version with a leading zero', 'v1:01:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAA'],
    ['a version that is not a number', 'v1:x:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAA'],
    ['a short IV', 'v1:1:AAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAA'],
    ['a short tag', 'v1:1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAA:AAAA'],
    ['standard base64 characters', 'v1:1:AAAAAAAAAAAAAAA+:AAAAAAAAAAAAAAAAAAAAAA:AAAA'],
    ['padding', 'v1:1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AA=='],
    ['a non-canonical encoding', 'v1:1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAB:AAAA'],
  ])('rejects %s as malformed', (_label, value) => {
    expect(parseCiphertext(value)).toBe('malformed');
    expect(keyVersionOf(value)).toBeUndefined();
  });

  it('names a format version it does not read as unsupported, not malformed', () => {
    expect(parseCiphertext('v2:1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AAAA')).toBe('unsupported_format');
  });

  it('says what is wrong in CiphertextRejected without the value', () => {
    const error = new CiphertextRejected('malformed', tenant, where);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ciphertext_rejected');
    expect(error.message).toContain('employees.pan_cipher');
    expect(error.message).toContain(where.rowId);
    expect(error.message).toContain('not in the encrypted-field format');
    expect(new CiphertextRejected('authentication_failed', tenant, where).message).toMatch(/authentication tag did not verify/);
  });
});
