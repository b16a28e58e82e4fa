import { beforeAll, describe, expect, it, vi } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Connection } from 'mysql2';
import { useSecondInstance, useTestApp } from '../support/app.js';
import { getPage, sessionFor, submitForm, type Browserish } from '../support/auth.js';
import * as factories from '../support/factories.js';
import { challenge, distance, near, pairKiosk, randomFace, seeded, signedPost, type TestKiosk } from '../support/kiosk.js';
import { auditEvents } from '../../src/modules/audit/index.js';
import { kioskNearMisses, kioskNonces, kioskRejections, punches } from '../../src/modules/attendance/schema.js';
import { nearMissBucket } from '../../src/modules/attendance/near-misses.js';
import type { FactoryEmployee } from '../support/factories.js';
import { CONSENT_TEXT_VERSION } from '../../src/modules/attendance/consent.js';

/**
 * The recognition path's costs (issue 17, "Measure"): database round trips of one /recognize, decryptions on
 * another instance after an enrolment, and near misses counted without identity. Real clock throughout: two
 * instances share no test clock.
 */

/** Every command any pooled connection of the first instance sends is one round trip. */
let roundTrips = 0;
const t = useTestApp({
  seed: async ({ db }) => {
    db.database.pool.pool.on('connection', (connection: Connection) => {
      const withCommands = connection as Connection & { addCommand(command: unknown): unknown };
      const addCommand = withCommands.addCommand.bind(connection);
      withCommands.addCommand = (command: unknown) => {
        roundTrips++;
        return addCommand(command);
      };
    });
  },
});
const second = useSecondInstance(t);
const random = seeded(29);
const db = () => t.app.database.db;

let tenantId: string;
let hrEmail: string;
let kiosk: TestKiosk;
const faces = new Map<string, number[]>();
const samplesOf = new Map<string, number[][]>();

const hr = (): Promise<Browserish> => sessionFor(t.app, hrEmail);

async function enrol(employee: FactoryEmployee, face: number[], app = t.app) {
  const jar = await hr();
  expect((await submitForm(app, jar, '/attendance/kiosks', '/attendance/enrolments', { employeeCode: employee.code })).statusCode).toBe(303);
  const { nonce, liveness } = await challenge(app, kiosk);
  const samples = [face, near(face, 0.05, random), near(face, 0.05, random)];
  const res = await signedPost(app, kiosk, 'enrol', {
    kioskId: kiosk.kioskId,
    nonce,
    employeeCode: employee.code,
    consent: { textVersion: CONSENT_TEXT_VERSION, acceptedAt: new Date().toISOString() },
    samples,
    liveness: { score: 0.9, method: liveness.challenge },
  });
  expect(res.statusCode, res.body).toBe(200);
  faces.set(employee.id, face);
  samplesOf.set(employee.id, samples);
}

async function recognize(embedding: number[], app = t.app) {
  const { nonce, liveness } = await challenge(app, kiosk);
  const body = { kioskId: kiosk.kioskId, nonce, capturedAt: new Date().toISOString(), embedding, liveness: { score: 0.9, method: liveness.challenge } };
  return signedPost(app, kiosk, 'recognize', body);
}

const people: FactoryEmployee[] = [];

beforeAll(async () => {
  const company = await factories.company(db());
  tenantId = company.id;
  hrEmail = (await factories.user(db(), tenantId, { role: 'hr_admin' })).email;
  kiosk = await pairKiosk(t.app, await hr());
  for (const fullName of ['Anil Kumar', 'Bela Rao', 'Chandra Das', 'Dev Shah']) {
    const employee = await factories.employee(t.app, tenantId, { fullName });
    people.push(employee);
    await enrol(employee, randomFace(random));
  }
});

describe('another instance after an enrolment', () => {
  it('decrypts only the new samples, and drops withdrawn ones without decrypting', async () => {
    const decrypt = vi.spyOn(second.app.fieldCipher, 'decrypt');
    const faceSampleDecryptions = () => decrypt.mock.calls.filter(([, location]) => location.table === 'face_samples').length;
    // Warm: the second instance decrypts the company's 12 samples once.
    expect((await recognize(near(faces.get(people[0]!.id)!, 0.05, random), second.app)).json().result).toBe('recognized');
    const warm = faceSampleDecryptions();
    expect(warm).toBe(12);
    decrypt.mockClear();

    const esha = await factories.employee(t.app, tenantId, { fullName: 'Esha Iyer' });
    await enrol(esha, randomFace(random));
    const res = await recognize(near(faces.get(esha.id)!, 0.05, random), second.app);
    expect(res.json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Esha' } });
    expect(faceSampleDecryptions()).toBe(3);
    // Everyone else is still found, without decrypting again.
    expect((await recognize(near(faces.get(people[1]!.id)!, 0.05, random), second.app)).json().employee.firstName).toBe('Bela');
    expect(faceSampleDecryptions()).toBe(3);

    decrypt.mockClear();
    expect((await submitForm(t.app, await hr(), '/attendance/kiosks', '/attendance/enrolments/withdraw', { employeeCode: esha.code })).statusCode).toBe(303);
    expect((await recognize(near(faces.get(esha.id)!, 0.05, random), second.app)).json().error).toBe('not_recognized');
    expect(faceSampleDecryptions()).toBe(0);
    decrypt.mockRestore();
  });
});

describe('punches at once', () => {
  it('records simultaneous punches of different people without a deadlock, and of one person once', async () => {
    const crowd: FactoryEmployee[] = [];
    for (let k = 0; k < 6; k++) {
      const employee = await factories.employee(t.app, tenantId, { fullName: `Crowd${k} Person` });
      await enrol(employee, randomFace(random));
      crowd.push(employee);
    }
    await recognize(near(faces.get(crowd[0]!.id)!, 0.05, random)); // builds the matcher
    const nonces = await Promise.all(Array.from({ length: 12 }, () => challenge(t.app, kiosk)));
    // Everyone at once, on both instances, each of them twice (two kiosks seeing one person).
    const answers = await Promise.all(
      nonces.map(({ nonce, liveness }, k) =>
        signedPost(k % 2 ? second.app : t.app, kiosk, 'recognize', {
          kioskId: kiosk.kioskId,
          nonce,
          capturedAt: new Date().toISOString(),
          embedding: near(faces.get(crowd[k % 6]!.id)!, 0.05, random),
          liveness: { score: 0.9, method: liveness.challenge },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(new Array(12).fill(200));
    for (const employee of crowd.slice(1)) {
      expect((await db().select().from(punches).where(eq(punches.employeeId, employee.id))).map((p) => p.direction)).toEqual(['in']);
    }
  });
});

describe('one /recognize', () => {
  it('takes 9 round trips: kiosk, isolation, BEGIN, spend nonce, nonce with settings, lock employee with last punch, punch, audit, COMMIT', async () => {
    const farah = await factories.employee(t.app, tenantId, { fullName: 'Farah Khan' });
    await enrol(farah, randomFace(random));
    await recognize(near(faces.get(people[0]!.id)!, 0.05, random)); // builds the matcher
    const { nonce, liveness } = await challenge(t.app, kiosk);
    const body = {
      kioskId: kiosk.kioskId,
      nonce,
      capturedAt: new Date().toISOString(),
      embedding: near(faces.get(farah.id)!, 0.05, random),
      liveness: { score: 0.9, method: liveness.challenge },
    };
    const before = roundTrips;
    const res = await signedPost(t.app, kiosk, 'recognize', body);
    expect(res.json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Farah' }, direction: 'in' });
    // Before this work: 10 (the settings read apart, the employee's name read per punch), and punches of two
    // people at once could deadlock on gap locks; READ COMMITTED costs the one SET TRANSACTION.
    expect(roundTrips - before).toBe(9);
  });

  it('still refuses a replayed nonce, and one answered for another challenge, keeping only counts', async () => {
    const chandra = people[2]!;
    const { nonce, liveness } = await challenge(t.app, kiosk);
    const body = (method: string) => ({
      kioskId: kiosk.kioskId,
      nonce,
      capturedAt: new Date().toISOString(),
      embedding: near(faces.get(chandra.id)!, 0.05, random),
      liveness: { score: 0.9, method },
    });
    const other = ['blink', 'turn_left', 'turn_right'].find((m) => m !== liveness.challenge)!;
    const wrong = await signedPost(t.app, kiosk, 'recognize', body(other));
    expect(wrong.json().error).toBe('liveness_failed');
    const [row] = await db().select().from(kioskNonces).where(eq(kioskNonces.nonce, nonce));
    expect(row!.usedAt).toBeNull(); // the spend rolled back with the refusal
    expect((await signedPost(t.app, kiosk, 'recognize', body(liveness.challenge))).statusCode).toBe(200);
    const replay = await signedPost(t.app, kiosk, 'recognize', body(liveness.challenge));
    expect(replay.json().error).toBe('nonce_reused');
    expect(await db().select().from(punches).where(eq(punches.employeeId, chandra.id))).toHaveLength(1);
  });

  it('answers one of two concurrent requests with the same nonce, the other nonce_reused', async () => {
    const dev = people[3]!;
    const { nonce, liveness } = await challenge(t.app, kiosk);
    const body = {
      kioskId: kiosk.kioskId,
      nonce,
      capturedAt: new Date().toISOString(),
      embedding: near(faces.get(dev.id)!, 0.05, random),
      liveness: { score: 0.9, method: liveness.challenge },
    };
    const answers = await Promise.all([signedPost(t.app, kiosk, 'recognize', body), signedPost(second.app, kiosk, 'recognize', body)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.statusCode === 409)!.json().error).toBe('nonce_reused');
    expect(await db().select().from(punches).where(eq(punches.employeeId, dev.id))).toHaveLength(1);
  });
});

describe('near misses', () => {
  /** A face whose nearest enrolled sample (of anyone) is `beyond` above the threshold 0.42, ±0.004. */
  function probeBeyond(beyond: number): number[] {
    const target = 0.42 + beyond;
    const enrolled = [...samplesOf.values()].flat();
    const face = faces.get(people[2]!.id)!;
    for (let tries = 0; tries < 20_000; tries++) {
      const probe = near(face, target, random);
      const nearest = Math.min(...enrolled.map((s) => distance(s, probe)));
      if (Math.abs(nearest - target) < 0.004) return probe;
    }
    throw new Error('no probe found');
  }

  it('counts a refusal just above the threshold by distance bucket, with no identity, and shows HR the table', async () => {
    const punchesBefore = (await db().select().from(punches).where(eq(punches.tenantId, tenantId))).length;
    const auditsBefore = (await db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenantId))).length;
    for (const beyond of [0.01, 0.03, 0.03]) {
      const res = await recognize(probeBeyond(beyond));
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toBe('not_recognized');
    }
    // A stranger far from everyone is refused too, but is no near miss.
    expect((await recognize(randomFace(random))).json().error).toBe('not_recognized');

    const rows = await db().select().from(kioskNearMisses).where(eq(kioskNearMisses.kioskId, kiosk.kioskId));
    expect(rows.map((r) => [r.bucket, r.count]).sort()).toEqual([
      [0, 1],
      [1, 2],
    ]);
    // The counts are all a refusal leaves: no punch, no audit entry; the refusal counter has all four.
    expect(Object.keys(rows[0]!).sort()).toEqual(['bucket', 'count', 'istDay', 'kioskId', 'tenantId']);
    expect((await db().select().from(punches).where(eq(punches.tenantId, tenantId))).length).toBe(punchesBefore);
    expect((await db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenantId))).length).toBe(auditsBefore);
    const [refused] = await db()
      .select()
      .from(kioskRejections)
      .where(and(eq(kioskRejections.kioskId, kiosk.kioskId), eq(kioskRejections.code, 'not_recognized')));
    expect(refused!.count).toBeGreaterThanOrEqual(4);

    const page = await getPage(t.app, await hr(), '/attendance/kiosks');
    const section = page.body.slice(page.body.indexOf('id="near-misses"'));
    expect(section).toContain('just beyond the match threshold');
    expect(section).toMatch(/<td>Front door<\/td><td class="num">1<\/td><td class="num">2<\/td><td class="num">0<\/td>/);
  });

  it('buckets by 0.02 up to 0.1 above the threshold, nothing else', () => {
    expect(nearMissBucket(0.42, 0.42)).toBeUndefined();
    expect(nearMissBucket(0.4201, 0.42)).toBe(0);
    expect(nearMissBucket(0.459, 0.42)).toBe(1);
    expect(nearMissBucket(0.519, 0.42)).toBe(4);
    expect(nearMissBucket(0.521, 0.42)).toBeUndefined();
  });
});
