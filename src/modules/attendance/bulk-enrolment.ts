import { inTransaction, type Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import type { FieldCipher } from '../../platform/crypto/index.js';
import { sealSample } from './face-samples.js';
import { publicKeyJwk } from './input.js';
import { FACE_SAMPLE_LOCATION, faceConsents, kiosks } from './schema.js';
import * as store from './store.js';

/**
 * Kiosks and faces made without a tablet or a person: for the demo companies (src/demo, never in production)
 * and the recognition bench, which need a paired kiosk and thousands of enrolled employees in seconds. The
 * rows are exactly what pairing and enrolment write (encrypted samples bound to tenant and employee, a consent
 * row, the enrolment version bumped), so the real API reads them as its own. No audit entries: nobody acted.
 */

/** A kiosk already paired with `jwk` (a P-256 public key), active; its id. */
export async function insertPairedKiosk(
  db: Db,
  tenantId: string,
  kiosk: { name: string; location: string | null; deviceName: string; publicKeyJwk: JsonWebKey; at: Date },
): Promise<string> {
  const jwk = publicKeyJwk.parse({ kty: kiosk.publicKeyJwk.kty, crv: kiosk.publicKeyJwk.crv, x: kiosk.publicKeyJwk.x, y: kiosk.publicKeyJwk.y });
  const id = newId();
  await db.insert(kiosks).values({
    id,
    tenantId,
    name: kiosk.name,
    location: kiosk.location,
    status: 'active',
    publicKeyJwk: JSON.stringify(jwk),
    deviceName: kiosk.deviceName,
    pairedAt: kiosk.at,
  });
  return id;
}

/**
 * Enrols each employee with its samples and a consent (text version, time, kiosk), in batches, then bumps the
 * company's enrolment version once so every instance rebuilds its matcher. Employees already enrolled are
 * the caller's to skip.
 */
export async function insertEnrolments(
  db: Db,
  cipher: FieldCipher,
  tenantId: string,
  enrolments: { employeeId: string; samples: number[][] }[],
  consent: { textVersion: string; acceptedAt: Date; kioskId: string },
  batchSize = 500,
): Promise<number> {
  let samples = 0;
  for (let from = 0; from < enrolments.length; from += batchSize) {
    const batch = enrolments.slice(from, from + batchSize);
    const rows: { id: string; employeeId: string; sampleCipher: string }[] = [];
    for (const { employeeId, samples: vectors } of batch) {
      for (const vector of vectors) {
        const id = newId();
        rows.push({ id, employeeId, sampleCipher: await cipher.encrypt(tenantId, { ...FACE_SAMPLE_LOCATION, rowId: id }, sealSample(employeeId, vector)) });
      }
    }
    await inTransaction(db, async (tx) => {
      await store.insertSamples(tx, tenantId, rows);
      await tx.insert(faceConsents).values(batch.map(({ employeeId }) => ({ id: newId(), tenantId, employeeId, ...consent })));
    });
    samples += rows.length;
  }
  await store.bumpEnrolmentVersion(db, tenantId);
  return samples;
}
