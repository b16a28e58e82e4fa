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

/**
 * One matcher per company, over its decrypted samples. Several app instances serve one company, so the
 * enrolment version is read from the database on each request and the matcher rebuilt when it moved.
 */
export function createMatcherCache(deps: { db: Db; cipher: FieldCipher; alert: Alerter }) {
  const { db, cipher, alert } = deps;
  /** Per company: the matcher over its decrypted samples and the enrolment version it was built at. */
  const matchers = new Map<string, { version: number; matcher: Promise<Matcher> }>();

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

  async function buildTenantMatcher(tenantId: string): Promise<Matcher> {
    const rows = await store.samplesOf(db, tenantId);
    const samples = [];
    for (const row of rows) {
      const location = { ...FACE_SAMPLE_LOCATION, rowId: row.id };
      const plaintext = await decryptOrSkip(tenantId, location, row.sampleCipher);
      if (plaintext === undefined) continue;
      const vector = openSample(row.employeeId, plaintext);
      if (!vector) {
        alert('attendance.sample_mismatch', { tenantId, sampleId: row.id });
        continue;
      }
      samples.push({ employeeId: row.employeeId, vector });
    }
    return buildMatcher(samples);
  }

  /** The company's matcher, rebuilt when the version read from the database (per request) differs from the one held. */
  function matcherFor(tenantId: string, version: number): Promise<Matcher> {
    const held = matchers.get(tenantId);
    // A newer one than asked for serves too (a request whose transaction began before an enrolment committed).
    if (held && held.version >= version) return held.matcher;
    const matcher = buildTenantMatcher(tenantId);
    matchers.set(tenantId, { version, matcher });
    matcher.catch(() => {
      if (matchers.get(tenantId)?.matcher === matcher) matchers.delete(tenantId);
    });
    return matcher;
  }

  return { matcherFor };
}
