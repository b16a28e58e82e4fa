import { createPublicKey, randomInt, verify, type KeyObject } from 'node:crypto';
import { publicKeyJwk } from './input.js';
import type { Kiosk } from './schema.js';

/** A kiosk's identity: the one-time pairing code, then its P-256 key checked on every request. */

// No 0/O, 1/I: read aloud and typed on a tablet.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const normaliseCode = (code: string) => code.toUpperCase().replace(/-/g, '');

export function newPairingCode(): string {
  const chars = Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

const publicKeys = new Map<string, KeyObject>();

export function signatureVerifies(kiosk: Kiosk, rawBody: Buffer, signature: string): boolean {
  // 64 bytes (r||s) in unpadded base64url is 86 characters.
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  let key = publicKeys.get(kiosk.publicKeyJwk!);
  if (!key) {
    const parsed = publicKeyJwk.safeParse(JSON.parse(kiosk.publicKeyJwk!));
    if (!parsed.success) return false;
    key = createPublicKey({ key: parsed.data, format: 'jwk' });
    if (publicKeys.size > 10_000) publicKeys.clear();
    publicKeys.set(kiosk.publicKeyJwk!, key);
  }
  try {
    return verify('sha256', rawBody, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
