import { PLATFORM, type ObjectOwner } from './object-store.js';

/**
 * Key validation, the same for every store: a key that would escape its owner's namespace on disk
 * (`../`, an absolute path, a backslash on Windows) or that S3 and a file system would read
 * differently (empty segments, control characters) is refused with a reason, not normalised: a
 * normalised trick is still a trick, and silently changing a key breaks the caller's later look-ups.
 */

export const MAX_KEY_LENGTH = 512;

export class InvalidObjectKey extends Error {
  readonly code = 'invalid_object_key';
  constructor(reason: string) {
    super(`Invalid storage key: ${reason}`);
    this.name = 'InvalidObjectKey';
  }
}

// C0 controls, DEL and C1 controls: NUL truncates paths in C libraries, newlines forge log lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws InvalidObjectKey unless `key` is a safe relative key such as `payslips/2026-11/x.pdf`. */
export function validateObjectKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKey('it is empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidObjectKey(`it is longer than ${MAX_KEY_LENGTH} characters`);
  if (CONTROL.test(key)) throw new InvalidObjectKey('it contains a control character');
  if (key.includes('\\')) throw new InvalidObjectKey('it contains a backslash (use / between parts)');
  if (key.startsWith('/')) throw new InvalidObjectKey('it is an absolute path (it must not start with /)');
  if (/^[A-Za-z]:/.test(key)) throw new InvalidObjectKey('it starts with a drive letter');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidObjectKey('it has an empty part (// or a trailing /)');
    if (segment === '.' || segment === '..') throw new InvalidObjectKey(`it has a "${segment}" part`);
  }
  return key;
}

/** A list prefix: empty, a directory (`payslips/`), or the start of a key (`payslips/2026-`). */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  validateObjectKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The namespace an owner's keys live under, relative to the store's root, with a trailing '/'. */
export function namespaceOf(owner: ObjectOwner, layout: 's3' | 'local'): string {
  if (owner === PLATFORM) return layout === 's3' ? 'platform/' : '_platform/';
  if (typeof owner !== 'string' || !TENANT_ID.test(owner)) {
    throw new InvalidObjectKey('the tenant id must be letters, digits, "-" or "_" (at most 64)');
  }
  return layout === 's3' ? `tenants/${owner}/` : `${owner}/`;
}
