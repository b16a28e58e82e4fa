import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../platform/db/client.js';
import type { FieldCipher } from '../platform/crypto/index.js';
import { CONSENT_TEXT_VERSION, enrolledEmployeeIds, insertEnrolments, insertPairedKiosk, kiosks } from '../modules/attendance/index.js';
import { employees } from '../modules/people/index.js';
import { demoSamples, readDemoKioskKey, saveDemoKioskKey } from './faces.js';

export const DEMO_KIOSK = { name: 'Demo kiosk', location: 'Reception', consentTextVersion: CONSENT_TEXT_VERSION } as const;

/** Every tenth demo employee declines face enrolment (kiosk.md: refusing must cost nothing), so the demo shows some. */
export const declinesFace = (code: string) => Number(code.replace(/\D+/g, '')) % 10 === 7;

/**
 * One paired demo kiosk per company, its private key saved under the data folder (development and tests only:
 * saveDemoKioskKey refuses in production, and so does the seed), and synthetic faces enrolled with consent for
 * the company's employees but the few who decline. Idempotent: a kiosk whose key file is still there is kept,
 * and employees already enrolled are left alone.
 */
export async function seedDemoKiosk(
  db: Db,
  cipher: FieldCipher,
  config: Pick<Config, 'dataDir' | 'isProduction'>,
  tenantId: string,
  domain: string,
): Promise<{ kioskId: string; enrolled: number; keyFile: string }> {
  if (config.isProduction) throw new Error('the demo kiosk is never made in production');
  const staff = await db.select({ id: employees.id, code: employees.code }).from(employees).where(eq(employees.tenantId, tenantId)).orderBy(employees.code);
  const consenting = staff.filter((e) => !declinesFace(e.code));
  const saved = readDemoKioskKey(config, domain);
  const [paired] = saved
    ? await db.select({ id: kiosks.id, tenantId: kiosks.tenantId, status: kiosks.status }).from(kiosks).where(eq(kiosks.id, saved.kioskId))
    : [];
  let kioskId: string;
  let privateKeyPem: string;
  if (saved && paired?.tenantId === tenantId && paired.status === 'active') {
    kioskId = saved.kioskId;
    privateKeyPem = saved.privateKeyPem;
  } else {
    // No usable key (first run, or the data folder was wiped): pair a new kiosk; an old one stays listed for HR to revoke.
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    kioskId = await insertPairedKiosk(db, tenantId, {
      name: DEMO_KIOSK.name,
      location: DEMO_KIOSK.location,
      deviceName: 'npm run kiosk:simulate',
      publicKeyJwk: publicKey.export({ format: 'jwk' }) as JsonWebKey,
      at: new Date(),
    });
    privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  }
  const enrolled = await enrolledEmployeeIds(db, tenantId);
  const toEnrol = consenting.filter((e) => !enrolled.has(e.id));
  if (toEnrol.length > 0) {
    await insertEnrolments(
      db,
      cipher,
      tenantId,
      toEnrol.map((e) => ({ employeeId: e.id, samples: demoSamples(domain, e.code) })),
      { textVersion: DEMO_KIOSK.consentTextVersion, acceptedAt: new Date(), kioskId },
    );
  }
  const keyFile = saveDemoKioskKey(config, { domain, kioskId, privateKeyPem, enrolled: consenting.map((e) => e.code) });
  return { kioskId, enrolled: consenting.length, keyFile };
}
