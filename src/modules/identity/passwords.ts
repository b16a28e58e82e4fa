import { createHmac } from 'node:crypto';
import { COMMON_PASSWORDS } from './common-passwords.js';
import { bcryptCompare, bcryptHash } from '../../platform/cpu/index.js';
import { Invalid } from '../../platform/errors.js';

/** bcrypt cost 12 is the public promise (hash prefix `$2b$12$`). */
export const BCRYPT_COST = 12;
export const MIN_PASSWORD_LENGTH = 12;
/** Checked before any hashing, so an overlong body costs nothing. */
export const MAX_PASSWORD_CHARS = 1024;

export interface PasswordContext {
  email?: string;
  companyName?: string;
}

/**
 * The password policy from the security page, one message per broken rule. Length counts
 * characters (code points), so a passphrase in any script counts as it reads.
 */
export function passwordProblems(password: string, context: PasswordContext = {}): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length > MAX_PASSWORD_CHARS) problems.push(`must be at most ${MAX_PASSWORD_CHARS} characters`);
  if (!/\p{L}/u.test(password)) problems.push('must contain at least one letter');
  if (!/\p{Nd}/u.test(password)) problems.push('must contain at least one digit');
  const lower = password.toLowerCase();
  const stripped = lower.replace(/[\d\W_]+$/u, '');
  if (COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(stripped)) problems.push('is one of the most common passwords');
  const company = context.companyName?.toLowerCase().replace(/\s+/g, '');
  if (company && company.length >= 3 && lower.replace(/\s+/g, '').includes(company)) problems.push('must not contain the company name');
  const email = context.email?.toLowerCase();
  const local = email?.split('@')[0];
  if (email && (lower.includes(email) || (local && local.length >= 3 && lower.includes(local)))) problems.push('must not contain your email address');
  return problems;
}

/**
 * bcrypt reads only 72 bytes; a long passphrase would be silently truncated. Pre-hashing with
 * HMAC-SHA256 under a server pepper gives bcrypt 44 bytes that depend on every character, and a
 * stolen database alone is not enough to test guesses.
 */
function preHash(password: string, pepper: string): string {
  return createHmac('sha256', pepper).update(password.normalize('NFC'), 'utf8').digest('base64');
}

/** Off the event loop and off libuv's pool: low-priority worker threads (platform/cpu). */
export async function hashPassword(password: string, pepper: string): Promise<string> {
  return bcryptHash(preHash(password, pepper), BCRYPT_COST);
}

export async function verifyPassword(password: string, hash: string, pepper: string): Promise<boolean> {
  return bcryptCompare(preHash(password, pepper), hash);
}

/** Hashes made at a lower cost (older data, imports) are upgraded at the next successful sign-in. */
export function needsRehash(hash: string): boolean {
  const match = /^\$2[aby]\$(\d{2})\$/.exec(hash);
  return !match || Number(match[1]) < BCRYPT_COST;
}

/**
 * A valid cost-12 bcrypt hash that no password matches. Comparing against it costs exactly what a
 * real check costs, from the very first attempt (a hash made lazily would make the first unknown
 * email pay twice, and making it at start-up is a bcrypt nobody needs).
 */
const EQUAL_WORK_HASH = '$2b$12$9sMhPpvHHwsy/8NZos/tkulnVsfh3BDpppmoepV.y.MmbcnpYEZp.';

/** For unknown emails: the same bcrypt work as a real check, so timing reveals nothing. */
export async function burnEqualWork(password: string, pepper: string): Promise<void> {
  await verifyPassword(password, EQUAL_WORK_HASH, pepper);
}

/** Refuses a new password that breaks the policy, naming the form field it came from. */
export function assertPassword(field: string, password: string, context: PasswordContext): void {
  const problems = passwordProblems(password, context);
  if (problems.length > 0) throw new Invalid(problems.map((message) => ({ field, message })));
}
