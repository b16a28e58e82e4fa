import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The stored form of one encrypted field value, a self-describing ASCII string:
 *
 *     v1:<keyVersion>:<iv>:<tag>:<ciphertext>
 *
 * - `v1`          format version: how to read the rest (AES-256-GCM, the layout below). A future
 *                 format (another algorithm) gets `v2:` and both are read during migration.
 * - `keyVersion`  the tenant data key version (decimal, ≥ 1) that encrypted it, so rotation can
 *                 re-encrypt value by value and old and new versions both decrypt meanwhile.
 * - `iv`          96-bit GCM nonce, fresh random per value (base64url, no padding: 16 chars).
 * - `tag`         128-bit GCM authentication tag (base64url: 22 chars).
 * - `ciphertext`  AES-256-GCM output, same length as the UTF-8 plaintext (base64url; may be empty).
 *
 * The associated data (not stored) is `${tenantId}/${table}/${column}/${rowId}`: a value copied to
 * another row, column or tenant fails authentication. Length for an n-byte plaintext is
 * 44 + digits(keyVersion) + ceil(4n/3): 59 characters for a 10-character PAN under key version 1-9.
 * Colons cannot occur inside base64url, so splitting on ':' is unambiguous.
 */

export const FORMAT_PREFIX = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export type RejectionReason = 'malformed' | 'unsupported_format' | 'unknown_key_version' | 'authentication_failed';

const DESCRIPTIONS: Record<RejectionReason, string> = {
  malformed: 'it is not in the encrypted-field format',
  unsupported_format: 'its format version is not one this build reads',
  unknown_key_version: 'it names a key version this tenant does not have',
  authentication_failed: 'its authentication tag did not verify (tampered, or copied from another row, column or tenant)',
};

/** Where a ciphertext lives: bound into the associated data. */
export interface FieldLocation {
  table: string;
  column: string;
  rowId: string;
}

/**
 * A stored value that cannot be decrypted. The message names the place and the reason only: never
 * the value (a "malformed" value might be a plaintext PAN written by mistake) nor key material.
 */
export class CiphertextRejected extends Error {
  readonly code = 'ciphertext_rejected';
  constructor(
    readonly reason: RejectionReason,
    readonly tenantId: string,
    readonly location: FieldLocation,
  ) {
    super(`Encrypted value in ${location.table}.${location.column} (row ${location.rowId}, tenant ${tenantId}) was rejected: ${DESCRIPTIONS[reason]}`);
    this.name = 'CiphertextRejected';
  }
}

export interface ParsedCiphertext {
  keyVersion: number;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// One pass over the whole string (this runs on every read, so no split-and-test-each-part).
const V1 = /^v1:([1-9][0-9]{0,8}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]*)$/;
/** Five parts under another format version: from a newer build, not garbage. */
const OTHER_VERSION = /^v(?!1:)[0-9]{1,3}:[^:]*:[^:]*:[^:]*:[^:]*$/;

/**
 * Unpadded base64url has one spelling per byte string only if the unused low bits of the last
 * character are zero; refusing the other spellings keeps one stored value per ciphertext.
 */
function canonicalTail(text: string): boolean {
  const unusedBits = [0, -1, 4, 2][text.length % 4]!;
  if (unusedBits <= 0) return unusedBits === 0;
  const last = ALPHABET.indexOf(text[text.length - 1]!);
  return (last & ((1 << unusedBits) - 1)) === 0;
}

/** Parses the envelope; returns the reason when it is not one we can attempt to decrypt. */
export function parseCiphertext(value: string): ParsedCiphertext | RejectionReason {
  if (typeof value !== 'string') return 'malformed';
  const match = V1.exec(value);
  if (!match) return OTHER_VERSION.test(value) ? 'unsupported_format' : 'malformed';
  const [, version, iv64, tag64, ct64] = match as unknown as [string, string, string, string, string];
  // The IV (16 characters, 12 bytes) has no unused bits; the tag and data may.
  if (!canonicalTail(tag64) || !canonicalTail(ct64)) return 'malformed';
  return {
    keyVersion: Number(version),
    iv: Buffer.from(iv64, 'base64url'),
    tag: Buffer.from(tag64, 'base64url'),
    ciphertext: Buffer.from(ct64, 'base64url'),
  };
}

/** The key version of a stored value, or undefined when it is not a v1 ciphertext. */
export function keyVersionOf(value: string): number | undefined {
  const parsed = parseCiphertext(value);
  return typeof parsed === 'string' ? undefined : parsed.keyVersion;
}

export function associatedData(tenantId: string, location: FieldLocation): Buffer {
  return Buffer.from(`${tenantId}/${location.table}/${location.column}/${location.rowId}`, 'utf8');
}

/** What a key cache leaves in a buffer it evicts (field-cipher.ts): never a key to encrypt or decrypt with. */
const WIPED_KEY = Buffer.alloc(KEY_BYTES);

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error('a field key must be 256 bits');
  // A caller holding a key that the cache evicted meanwhile would otherwise seal under all zeros.
  if (key.equals(WIPED_KEY)) throw new Error('this field key was wiped when it left the key cache; load it again');
}

/**
 * AES-256-GCM with a fresh random 96-bit IV. NIST SP 800-38D caps random IVs at 2^32 values per
 * key; a tenant writes far fewer than that between rotations.
 */
export function sealField(key: Buffer, keyVersion: number, aad: Buffer, plaintext: string): string {
  checkKey(key);
  // Straight from the CSPRNG for every value: an IV pool in process memory would be handed out
  // twice by a cloned process (a forked worker, a restored VM or container snapshot).
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${FORMAT_PREFIX}:${keyVersion}:${iv.toString('base64url')}:${tag.toString('base64url')}:${ciphertext.toString('base64url')}`;
}

/** Returns the plaintext, or undefined when authentication fails (wrong key, AAD, IV, tag or data). */
export function openField(key: Buffer, aad: Buffer, parsed: ParsedCiphertext): string | undefined {
  checkKey(key);
  const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(parsed.tag);
  try {
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
