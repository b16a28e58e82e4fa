import { CiphertextRejected, type FieldCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/client.js';
import type { Alerter } from '../../platform/observability/alert.js';
import { buildMatcher, EMBEDDING_LENGTH, type Matcher } from './matcher.js';
import { FACE_SAMPLE_LOCATION } from './schema.js';
import * as store from './store.js';

/** Face samples as stored (encrypted, bound to their employee) and the per-company matcher built from them. */

/** A sample's plaintext: its employee (checked on decryption, so a row moved to another employee is refused) and the vector as float32. */
export function sealSample(employeeId: string, vector: readonly number[]): string {
  return JSON.stringify({ e: employeeId, v: Buffer.from(Float32Array.from(vector).buffer).toString('base64') });
}
function openSample(employeeId: string, plaintext: string): Float32Array | undefined {
  const parsed = JSON.parse(plaintext) as { e?: unknown; v?: unknown };
  if (parsed.e !== employeeId || typeof parsed.v !== 'string') return undefined;
  const bytes = Buffer.from(parsed.v, 'base64');
  if (bytes.length !== EMBEDDING_LENGTH * 4) return undefined;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** The first word of a full name: all a kiosk may say about who it recognised. */
export const firstNameOf = (fullName: string | null | undefined) => (fullName ?? '').trim().split(/\s+/)[0] ?? '';

/** A company's matcher with the first names of its enrolled employees (a recognition answers one without a query). */
export interface Enrolled {
  matcher: Matcher;
  firstNames: Map<string, string>;
  /** Samples decrypted to build this one: only those new since the last build (tests and the bench read it). */
  decrypted: number;
}

interface OpenSample {
  employeeId: string;
  vector: Float32Array;
}

/** How many ciphertexts one query fetches when a matcher catches up (an IN list the server parses quickly). */
const FETCH_BATCH = 2000;

/**
 * One matcher per company, over its decrypted samples. Several app instances serve one company, so the
 * enrolment version is read from the database on each request and the matcher rebuilt when it moved.
 *
 * A rebuild is incremental (issue 17: one new enrolment must not make every instance decrypt every sample
 * again): it lists the company's sample ids with their employee (the index alone) and the employees' names, keeps
 * the vectors it already holds, decrypts only the samples it has not seen (or that moved to another employee),
 * forgets the deleted ones, then lays the matrix out again (no decryption).
 *
 * Held vectors are not re-read: a sample row is written once, and rewritten only by key rotation with the same
 * plaintext. A ciphertext altered in place is refused, with an alert, by whichever instance decrypts it next (a
 * new one, or after a restart); an instance that already decrypted the authentic row keeps the authentic vector.
 * Fingerprinting every ciphertext on each rebuild cost 4× the listing (measured at 30,000 samples).
 */
export function createMatcherCache(deps: { cipher: FieldCipher; alert: Alerter }) {
  const { cipher, alert } = deps;
  /** Per company: the matcher and the enrolment version it was built at. */
  const matchers = new Map<string, { version: number; enrolled: Promise<Enrolled>; ready?: Enrolled }>();
  /** Per company: the samples decrypted so far, by row id (replaced, never mutated, by each rebuild). */
  const opened = new Map<string, Map<string, OpenSample>>();

  /**
   * A sample the cipher refuses (a bad tag: tampered or copied) is left out, like a moved one: the cipher has
   * alerted already (security.md), and one bad row must not fail every recognition of the company with a 500
   * and a rebuild of the whole matcher on each request.
   */
  async function decryptOrSkip(tenantId: string, location: typeof FACE_SAMPLE_LOCATION & { rowId: string }, ciphertext: string) {
    try {
      return await cipher.decrypt(tenantId, location, ciphertext);
    } catch (error) {
      if (error instanceof CiphertextRejected) return undefined;
      throw error;
    }
  }

  async function buildTenantMatcher(db: Db, tenantId: string): Promise<Enrolled> {
    const [listed, names] = await Promise.all([store.sampleListOf(db, tenantId), store.employeeNamesOf(db, tenantId)]);
    const held = opened.get(tenantId) ?? new Map<string, OpenSample>();
    const next = new Map<string, OpenSample>();
    const missing: string[] = [];
    const firstNames = new Map<string, string>();
    for (const row of listed) {
      firstNames.set(row.employeeId, firstNameOf(names.get(row.employeeId)));
      const known = held.get(row.id);
      if (known && known.employeeId === row.employeeId) next.set(row.id, known);
      else missing.push(row.id);
    }
    let decrypted = 0;
    for (let from = 0; from < missing.length; from += FETCH_BATCH) {
      for (const row of await store.sampleCiphersOf(db, tenantId, missing.slice(from, from + FETCH_BATCH))) {
        decrypted++;
        const plaintext = await decryptOrSkip(tenantId, { ...FACE_SAMPLE_LOCATION, rowId: row.id }, row.sampleCipher);
        if (plaintext === undefined) continue;
        const vector = openSample(row.employeeId, plaintext);
        if (!vector) {
          alert('attendance.sample_mismatch', { tenantId, sampleId: row.id });
          continue;
        }
        next.set(row.id, { employeeId: row.employeeId, vector });
      }
    }
    opened.set(tenantId, next);
    // In the listing's order (by employee, then id), so every instance breaks ties the same way.
    const samples = listed.flatMap((row) => {
      const sample = next.get(row.id);
      return sample ? [{ employeeId: sample.employeeId, vector: sample.vector }] : [];
    });
    return { matcher: buildMatcher(samples), firstNames, decrypted };
  }

  /** The company's matcher if one at `version` or newer is built and ready; never waits, never reads. */
  function readyMatcher(tenantId: string, version: number): Enrolled | undefined {
    const held = matchers.get(tenantId);
    // A newer one than asked for serves too (a request whose transaction began before an enrolment committed).
    return held && held.version >= version ? held.ready : undefined;
  }

  /**
   * Brings the company's matcher to `version` (or newer), reading through `db`: the pool, never a transaction
   * held while waiting (see recognition.ts, inTransactionWithMatcher). Concurrent callers share one rebuild.
   */
  function matcherFor(tenantId: string, version: number, db: Db): Promise<Enrolled> {
    const held = matchers.get(tenantId);
    if (held && held.version >= version) return held.enrolled;
    const entry: { version: number; enrolled: Promise<Enrolled>; ready?: Enrolled } = { version, enrolled: buildTenantMatcher(db, tenantId) };
    matchers.set(tenantId, entry);
    entry.enrolled.then(
      (enrolled) => {
        entry.ready = enrolled;
      },
      () => {
        if (matchers.get(tenantId) === entry) matchers.delete(tenantId);
      },
    );
    return entry.enrolled;
  }

  return { matcherFor, readyMatcher };
}
