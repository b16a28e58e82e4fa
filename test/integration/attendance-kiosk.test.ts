import { beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { and, eq, sql } from 'drizzle-orm';
import { useSecondInstance, useTestApp } from '../support/app.js';
import { getPage, sessionFor, submitForm, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import {
  challenge,
  createKioskCode,
  distance,
  makeKioskKeys,
  near,
  normalise,
  pairKiosk,
  postJson,
  randomFace,
  seeded,
  signedPost,
  type TestKiosk,
} from '../support/kiosk.js';
import { auditEvents } from '../../src/modules/audit/index.js';
import { buildApp } from '../../src/app.js';
import { buildMatcher, DEFAULT_MATCH_RULE } from '../../src/modules/attendance/matcher.js';
import {
  faceConsents,
  faceSamples,
  KIOSK_RETENTION,
  kioskNonces,
  kioskRejections,
  punches,
  purgeKioskRows,
  setAttendanceSettings,
} from '../../src/modules/attendance/index.js';
import { createKeyProvider, keyVersionOf, listEncryptedColumns, rotateTenantKey } from '../../src/platform/crypto/index.js';
import type { FactoryEmployee } from '../support/factories.js';
import { CONSENT_TEXT_VERSION } from '../../src/modules/attendance/consent.js';

/** Everything the app logs, to see alerts (`{"alert": kind}` lines). */
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
const alertsOf = (kind: string) => logLines.filter((l) => l.alert === kind);

const clock = testClock(new Date('2026-12-01T03:30:00Z')); // 09:00 IST
// A short key cache: key rotation waits that long for every instance to see the new version.
const t = useTestApp({ env: { KEY_CACHE_SECONDS: '1' }, adapters: () => ({ clock, logger }) });
const random = seeded(17);

type Company = { id: string; hrEmail: string; kiosk: TestKiosk; readonly hr: Browserish };
/** A fresh HR session each time: the tests move the clock by days, past any session's lifetime. */
const withHr = (company: Omit<Company, 'hr'>) => Object.defineProperty(company, 'hr', { get: () => hrSessions.get(company.hrEmail) }) as Company;
const hrSessions = new Map<string, Browserish>();
async function refreshHr(company: Company, app = t.app) {
  hrSessions.set(company.hrEmail, await sessionFor(app, company.hrEmail));
}
const A = withHr({} as Company);
const B = withHr({} as Company);
const faces = new Map<string, number[]>();

async function openEnrolment(company: Company, employee: FactoryEmployee, app = t.app) {
  await refreshHr(company);
  const res = await submitForm(app, company.hr, '/attendance/kiosks', '/attendance/enrolments', { employeeCode: employee.code });
  expect(res.statusCode).toBe(303);
}

function enrolBody(kiosk: TestKiosk, nonce: string, method: string, code: string, samples: number[][], extra: Record<string, unknown> = {}) {
  return {
    kioskId: kiosk.kioskId,
    nonce,
    employeeCode: code,
    consent: { textVersion: CONSENT_TEXT_VERSION, acceptedAt: clock.now().toISOString() },
    samples,
    liveness: { score: 0.9, method },
    ...extra,
  };
}

/** Opens enrolment, then enrols `face` (three samples around it) through company's kiosk. */
async function enrol(company: Company, employee: FactoryEmployee, face: number[], app = t.app) {
  await openEnrolment(company, employee, app);
  const { nonce, liveness } = await challenge(app, company.kiosk);
  const samples = [near(face, 0.05, random), near(face, 0.05, random), near(face, 0.05, random)];
  const res = await signedPost(app, company.kiosk, 'enrol', enrolBody(company.kiosk, nonce, liveness.challenge, employee.code, samples));
  expect(res.statusCode, res.body).toBe(200);
  faces.set(employee.id, face);
  return samples;
}

function recognizeBody(kiosk: TestKiosk, nonce: string, method: string, embedding: number[], extra: Record<string, unknown> = {}) {
  return { kioskId: kiosk.kioskId, nonce, capturedAt: clock.now().toISOString(), embedding, liveness: { score: 0.9, method }, ...extra };
}

async function recognize(company: Company, embedding: number[], app = t.app, kiosk = company.kiosk) {
  const { nonce, liveness } = await challenge(app, kiosk);
  return signedPost(app, kiosk, 'recognize', recognizeBody(kiosk, nonce, liveness.challenge, embedding));
}

const db = () => t.app.database.db;
const punchesOf = (employeeId: string) => db().select().from(punches).where(eq(punches.employeeId, employeeId)).orderBy(punches.at);
const nonceRow = async (nonce: string) => (await db().select().from(kioskNonces).where(eq(kioskNonces.nonce, nonce)))[0];
const auditCount = async (tenantId: string) => (await db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenantId))).length;

let anil: FactoryEmployee;
let bela: FactoryEmployee;

beforeAll(async () => {
  for (const company of [A, B]) {
    const row = await factories.company(db());
    const hr = await factories.user(db(), row.id, { role: 'hr_admin' });
    company.id = row.id;
    company.hrEmail = hr.email;
    await refreshHr(company);
    company.kiosk = await pairKiosk(t.app, company.hr);
  }
  anil = await factories.employee(t.app, A.id, { fullName: 'Anil Kumar' });
  bela = await factories.employee(t.app, A.id, { fullName: 'Bela Rao' });
  await enrol(A, anil, randomFace(random));
  await enrol(A, bela, randomFace(random));
});

describe('pairing', () => {
  it('pairs with a one-time code, shown once, and refuses it a second time', async () => {
    const keys = await makeKioskKeys();
    const code = await createKioskCode(t.app, A.hr, 'Back gate');
    const body = JSON.stringify({ pairingCode: code, publicKeyJwk: keys.publicKeyJwk, deviceName: 'Tab 2' });
    const first = await postJson(t.app, '/api/kiosk/v1/pair', body);
    expect(first.statusCode, first.body).toBe(200);
    expect(Object.keys(first.json())).toEqual(['kioskId']);
    const again = await postJson(t.app, '/api/kiosk/v1/pair', body);
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('pairing_invalid');
    // The page lists the kiosk as paired and never shows the code again.
    const page = await getPage(t.app, A.hr, '/attendance/kiosks');
    expect(page.body).toContain('Back gate');
    expect(page.body).not.toContain(code);
  });

  it('refuses an expired code', async () => {
    const keys = await makeKioskKeys();
    const code = await createKioskCode(t.app, A.hr, 'Late');
    clock.advance(10 * 60_000 + 1);
    const res = await postJson(t.app, '/api/kiosk/v1/pair', JSON.stringify({ pairingCode: code, publicKeyJwk: keys.publicKeyJwk, deviceName: 'Tab' }));
    expect(res.json().error).toBe('pairing_invalid');
  });

  it('accepts only a public P-256 key', async () => {
    const code = await createKioskCode(t.app, A.hr, 'Strict');
    const { publicKeyJwk } = await makeKioskKeys();
    for (const jwk of [
      { ...publicKeyJwk, d: 'x'.repeat(43) },
      { ...publicKeyJwk, crv: 'P-384' },
      { ...publicKeyJwk, kty: 'RSA' },
      { kty: 'EC', crv: 'P-256', x: publicKeyJwk.x },
      { ...publicKeyJwk, x: 'A'.repeat(43) }, // not a point on the curve
    ]) {
      const res = await postJson(t.app, '/api/kiosk/v1/pair', JSON.stringify({ pairingCode: code, publicKeyJwk: jwk, deviceName: 'Tab' }));
      expect(res.statusCode, JSON.stringify(jwk)).toBe(400);
      expect(res.json().error).toBe('invalid_body');
    }
    // Still usable with a proper key: the refusals used nothing.
    const ok = await postJson(t.app, '/api/kiosk/v1/pair', JSON.stringify({ pairingCode: code, publicKeyJwk, deviceName: 'Tab' }));
    expect(ok.statusCode).toBe(200);
  });
});

describe('signatures', () => {
  it('answers a signed challenge with a nonce and a liveness challenge', async () => {
    const res = await signedPost(t.app, A.kiosk, 'challenge', { kioskId: A.kiosk.kioskId });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(['blink', 'turn_left', 'turn_right']).toContain(body.liveness.challenge);
    expect(new Date(body.expiresAt).getTime() - clock.now().getTime()).toBe(60_000);
  });

  it('refuses a missing, garbled or foreign signature, and one over other bytes', async () => {
    const body = JSON.stringify({ kioskId: A.kiosk.kioskId });
    const missing = await postJson(t.app, '/api/kiosk/v1/challenge', body);
    const garbled = await postJson(t.app, '/api/kiosk/v1/challenge', body, { 'x-kiosk-signature': 'not-a-signature' });
    const flipped = (await A.kiosk.sign(body)).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const flippedRes = await postJson(t.app, '/api/kiosk/v1/challenge', body, { 'x-kiosk-signature': flipped });
    const foreign = await signedPost(t.app, A.kiosk, 'challenge', body, { signer: B.kiosk });
    const otherBytes = await signedPost(t.app, A.kiosk, 'challenge', JSON.stringify({ kioskId: A.kiosk.kioskId }, null, 1), { signedBytes: body });
    for (const res of [missing, garbled, flippedRes, foreign, otherBytes]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('bad_signature');
    }
  });

  it('refuses an unknown kiosk id', async () => {
    const res = await signedPost(t.app, A.kiosk, 'challenge', { kioskId: '01900000-0000-7000-8000-000000000000' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('bad_signature');
  });

  it('refuses a revoked kiosk, even with a good signature', async () => {
    const kiosk = await pairKiosk(t.app, A.hr, 'Soon revoked');
    expect((await signedPost(t.app, kiosk, 'challenge', { kioskId: kiosk.kioskId })).statusCode).toBe(200);
    const res = await submitForm(t.app, A.hr, '/attendance/kiosks', `/attendance/kiosks/${kiosk.kioskId}/revoke`, {});
    expect(res.statusCode).toBe(303);
    const after = await signedPost(t.app, kiosk, 'challenge', { kioskId: kiosk.kioskId });
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toBe('kiosk_revoked');
  });

  it('gives a signed-in user nothing on the kiosk API', async () => {
    for (const path of ['challenge', 'recognize', 'enrol']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/kiosk/v1/${path}`,
        headers: { cookie: A.hr.cookie, 'content-type': 'application/json' },
        payload: JSON.stringify({ kioskId: A.kiosk.kioskId }),
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('bad_signature');
    }
  });

  it('keeps CSRF on the HR forms (only the kiosk API opts out)', async () => {
    await refreshHr(A);
    const res = await t.app.inject({
      method: 'POST',
      url: '/attendance/kiosks',
      headers: { cookie: A.hr.cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      payload: 'name=Sneaky',
    });
    expect(res.statusCode).toBe(403);
  });

  it('reads no more than 16 KB of a kiosk body', async () => {
    const body = JSON.stringify({ kioskId: A.kiosk.kioskId, padding: 'x'.repeat(17 * 1024) });
    const res = await signedPost(t.app, A.kiosk, 'challenge', body);
    expect(res.statusCode).toBe(413);
  });

  it('gives a kiosk signature nothing anywhere else', async () => {
    const body = JSON.stringify({ kioskId: A.kiosk.kioskId });
    const signature = await A.kiosk.sign(body);
    const page = await t.app.inject({ method: 'GET', url: '/attendance/kiosks', headers: { 'x-kiosk-signature': signature } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toMatch(/^\/login/);
    const post = await postJson(t.app, '/attendance/kiosks', body, { 'x-kiosk-signature': signature, accept: 'application/json' });
    expect(post.statusCode).toBe(401);
  });
});

describe('recognition', () => {
  it('records a punch with the kiosk as actor and says only the first name, direction and time', async () => {
    const before = await auditCount(A.id);
    const res = await recognize(A, near(faces.get(anil.id)!, 0.05, random));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'recognized', employee: { firstName: 'Anil' }, direction: 'in', at: clock.now().toISOString() });
    const rows = await punchesOf(anil.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ method: 'face', direction: 'in', kioskId: A.kiosk.kioskId, tenantId: A.id });
    expect(rows[0]!.distance).toBeLessThan(0.2);
    expect(rows[0]!.livenessScore).toBe(0.9);
    const [entry] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, A.id), eq(auditEvents.action, 'attendance.punch')));
    expect(entry).toMatchObject({ actorKind: 'kiosk', actorId: A.kiosk.kioskId, targetType: 'employee', targetId: anil.id });
    expect(await auditCount(A.id)).toBe(before + 1);
  });

  it('merges a punch within 2 minutes, then punches out', async () => {
    clock.advance(60_000);
    const merged = await recognize(A, near(faces.get(anil.id)!, 0.05, random));
    expect(merged.json().direction).toBe('in');
    expect(await punchesOf(anil.id)).toHaveLength(1);
    clock.advance(2 * 60_000);
    const out = await recognize(A, near(faces.get(anil.id)!, 0.05, random));
    expect(out.json()).toMatchObject({ result: 'recognized', direction: 'out' });
    expect((await punchesOf(anil.id)).map((p) => p.direction)).toEqual(['in', 'out']);
  });

  it('starts a new IST day with "in"', async () => {
    clock.advance(24 * 3600_000);
    const res = await recognize(A, near(faces.get(anil.id)!, 0.05, random));
    expect(res.json().direction).toBe('in');
  });

  it('refuses a replayed nonce and records nothing', async () => {
    const { nonce, liveness } = await challenge(t.app, A.kiosk);
    const first = await signedPost(t.app, A.kiosk, 'recognize', recognizeBody(A.kiosk, nonce, liveness.challenge, near(faces.get(bela.id)!, 0.05, random)));
    expect(first.statusCode).toBe(200);
    const punchCount = (await punchesOf(bela.id)).length;
    const audits = await auditCount(A.id);
    clock.advance(5 * 60_000); // past the merge window: a replay must not punch again
    const replay = await signedPost(t.app, A.kiosk, 'recognize', recognizeBody(A.kiosk, nonce, liveness.challenge, near(faces.get(bela.id)!, 0.05, random)));
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error).toBe('nonce_reused');
    expect(await punchesOf(bela.id)).toHaveLength(punchCount);
    expect(await auditCount(A.id)).toBe(audits);
  });

  /** Each bad request: refused with `code`, no punch, no audit entry, the nonce still unused. */
  async function refusedWithNothingKept(build: (nonce: string, method: string) => object | string, status: number, code: string) {
    const { nonce, liveness } = await challenge(t.app, A.kiosk);
    const punchCount = (await db().select().from(punches).where(eq(punches.tenantId, A.id))).length;
    const audits = await auditCount(A.id);
    const res = await signedPost(t.app, A.kiosk, 'recognize', build(nonce, liveness.challenge));
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error).toBe(code);
    expect((await db().select().from(punches).where(eq(punches.tenantId, A.id))).length).toBe(punchCount);
    expect(await auditCount(A.id)).toBe(audits);
    expect((await nonceRow(nonce))!.usedAt).toBeNull();
    return { nonce, method: liveness.challenge };
  }

  it('refuses an expired nonce', async () => {
    const { nonce, liveness } = await challenge(t.app, A.kiosk);
    clock.advance(60_001);
    const res = await signedPost(t.app, A.kiosk, 'recognize', recognizeBody(A.kiosk, nonce, liveness.challenge, faces.get(anil.id)!));
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('nonce_expired');
    expect((await nonceRow(nonce))!.usedAt).toBeNull();
  });

  it('refuses a capture far from the server clock', async () => {
    clock.advance(10 * 60_000);
    const future = new Date(clock.now().getTime() + 61_000).toISOString();
    await refusedWithNothingKept(
      (nonce, method) => recognizeBody(A.kiosk, nonce, method, faces.get(anil.id)!, { capturedAt: future }),
      400,
      'captured_at_skew',
    );
  });

  it('refuses weak liveness and an answer to another challenge', async () => {
    await refusedWithNothingKept(
      (nonce, method) => recognizeBody(A.kiosk, nonce, method, faces.get(anil.id)!, { liveness: { score: 0.69, method } }),
      422,
      'liveness_failed',
    );
    await refusedWithNothingKept(
      (nonce, method) => {
        const other = ['blink', 'turn_left', 'turn_right'].find((m) => m !== method)!;
        return recognizeBody(A.kiosk, nonce, other, faces.get(anil.id)!);
      },
      422,
      'liveness_failed',
    );
  });

  it("applies the company's own liveness threshold and match rule", async () => {
    const face = faces.get(anil.id)!;
    await setAttendanceSettings(db(), A.id, { livenessThreshold: 0.95 });
    await refusedWithNothingKept((nonce, method) => recognizeBody(A.kiosk, nonce, method, face), 422, 'liveness_failed');
    await setAttendanceSettings(db(), A.id, { livenessThreshold: 0.7, matchThreshold: 0.35 });
    // About 0.4 from Anil's samples: within the default 0.42, beyond this company's 0.35.
    let probe = near(face, 0.4, random);
    while (Math.abs(distance(probe, face) - 0.4) > 0.02) probe = near(face, 0.4, random);
    await refusedWithNothingKept((nonce, method) => recognizeBody(A.kiosk, nonce, method, probe), 422, 'not_recognized');
    await setAttendanceSettings(db(), A.id, { matchThreshold: 0.42 });
  });

  it('lets HR tune the rule only within the allowed ranges, audited', async () => {
    await refreshHr(A);
    const out = await submitForm(t.app, A.hr, '/attendance/kiosks', '/attendance/settings', {
      matchThreshold: '0.6',
      matchMargin: '0.06',
      livenessThreshold: '0.7',
    });
    expect(out.statusCode).toBe(400);
    const ok = await submitForm(t.app, A.hr, '/attendance/kiosks', '/attendance/settings', {
      matchThreshold: '0.4',
      matchMargin: '0.07',
      livenessThreshold: '0.8',
    });
    expect(ok.statusCode).toBe(303);
    const page = await getPage(t.app, A.hr, '/attendance/kiosks');
    expect(page.body).toContain('value="0.4"');
    const [entry] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, A.id), eq(auditEvents.action, 'attendance.settings_changed')));
    expect(JSON.parse(entry!.details!)).toEqual({
      before: { livenessThreshold: 0.7, matchThreshold: 0.42, matchMargin: 0.06 },
      after: { matchThreshold: 0.4, matchMargin: 0.07, livenessThreshold: 0.8 },
    });
    await setAttendanceSettings(db(), A.id, { matchThreshold: 0.42, matchMargin: 0.06, livenessThreshold: 0.7 });
  });

  it('refuses bodies that are not exactly 128 sane numbers, and any image', async () => {
    const face = faces.get(anil.id)!;
    const raw = (nonce: string, method: string, embeddingJson: string) =>
      `{"kioskId":"${A.kiosk.kioskId}","nonce":"${nonce}","capturedAt":"${clock.now().toISOString()}","embedding":${embeddingJson},"liveness":{"score":0.9,"method":"${method}"}}`;
    const cases: ((nonce: string, method: string) => object | string)[] = [
      (n, m) => recognizeBody(A.kiosk, n, m, face.slice(0, 127)),
      (n, m) => recognizeBody(A.kiosk, n, m, [...face, 0]),
      (n, m) => raw(n, m, `[NaN,${face.slice(1).join(',')}]`),
      (n, m) => raw(n, m, `[1e400,${face.slice(1).join(',')}]`), // JSON's way to Infinity
      (n, m) => recognizeBody(A.kiosk, n, m, face.map(String) as unknown as number[]),
      (n, m) => recognizeBody(A.kiosk, n, m, [1e300, ...face.slice(1)]),
      (n, m) =>
        recognizeBody(
          A.kiosk,
          n,
          m,
          face.map((x) => x * 10),
        ), // norm 10
      (n, m) => recognizeBody(A.kiosk, n, m, new Array(128).fill(0)),
      (n, m) => recognizeBody(A.kiosk, n, m, face, { image: 'data:image/jpeg;base64,/9j/4AAQ' }),
      (n, m) => recognizeBody(A.kiosk, n, m, face, { frame: [1, 2, 3] }),
      (n, m) => recognizeBody(A.kiosk, n, m, face, { employeeId: anil.id }),
      (n, m) => recognizeBody(A.kiosk, n, m, face, { liveness: { score: 0.9, method: m, photo: 'x' } }),
    ];
    for (const build of cases) await refusedWithNothingKept(build, 400, 'invalid_body');
  });

  it('refuses a face close to two employees (ambiguous)', async () => {
    const chandra = await factories.employee(t.app, A.id, { fullName: 'Chandra Das' });
    const dev = await factories.employee(t.app, A.id, { fullName: 'Dev Shah' });
    // Two different people 0.55 apart (enrolment refuses closer ones), a face halfway between: within the
    // threshold of both, and neither beats the other by the margin.
    const base = randomFace(random);
    let other = near(base, 0.55, random);
    while (Math.abs(distance(base, other) - 0.55) > 0.02) other = near(base, 0.55, random);
    const enrolled = [
      ...(await enrol(A, chandra, base)).map((vector) => ({ employeeId: chandra.id, vector: Float32Array.from(vector) })),
      ...(await enrol(A, dev, other)).map((vector) => ({ employeeId: dev.id, vector: Float32Array.from(vector) })),
    ];
    const between = normalise(base.map((x, i) => x + other[i]!));
    expect(distance(between, base)).toBeLessThan(0.35);
    expect(distance(between, other)).toBeLessThan(0.35);
    // The kiosk only hears not_recognized; the same samples through the matcher show it was the margin that refused
    // (not too_far), so this test fails if the margin rule stops working.
    expect(buildMatcher(enrolled).match(between, DEFAULT_MATCH_RULE)).toMatchObject({ kind: 'not_recognized', reason: 'ambiguous' });
    expect(buildMatcher(enrolled).match(between, { ...DEFAULT_MATCH_RULE, margin: 0 })).toMatchObject({ kind: 'recognized' });
    await refusedWithNothingKept((nonce, method) => recognizeBody(A.kiosk, nonce, method, between), 422, 'not_recognized');
  });

  it("never matches another company's employee", async () => {
    const esha = await factories.employee(t.app, B.id, { fullName: 'Esha Iyer' });
    const face = randomFace(random);
    await enrol(B, esha, face);
    await refusedWithNothingKept((nonce, method) => recognizeBody(A.kiosk, nonce, method, face), 422, 'not_recognized');
    // Company B's own kiosk finds her.
    const own = await recognize(B, near(face, 0.05, random));
    expect(own.json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Esha' } });
  });

  it('counts refusals per kiosk and code, and alerts once on a burst', async () => {
    clock.advance(60 * 60_000); // a fresh 5-minute window
    await refreshHr(A);
    const kiosk = await pairKiosk(t.app, A.hr, 'Burst');
    const stranger = randomFace(random);
    for (let i = 0; i < 12; i++) {
      const res = await recognize(A, stranger, t.app, kiosk);
      expect(res.json().error).toBe('not_recognized');
    }
    const counts = await db().select().from(kioskRejections).where(eq(kioskRejections.kioskId, kiosk.kioskId));
    expect(counts.map((c) => [c.code, c.count])).toEqual([['not_recognized', 12]]);
    const alerts = alertsOf('attendance.kiosk_refusal_burst').filter((a) => a.kioskId === kiosk.kioskId);
    expect(alerts).toHaveLength(1);
  });
});

describe('enrolment', () => {
  it('stores the samples encrypted, with consent and an audit entry', async () => {
    const rows = await db().select().from(faceSamples).where(eq(faceSamples.employeeId, anil.id));
    expect(rows).toHaveLength(3);
    // A sample is sealed as JSON naming its employee with the vector as base64 float32 (never decimal text):
    // the stored value must be the cipher's envelope, with neither the employee id nor the JSON readable.
    for (const row of rows) {
      expect(keyVersionOf(row.sampleCipher)).toBeGreaterThanOrEqual(1);
      expect(row.sampleCipher).not.toContain(anil.id);
      expect(row.sampleCipher).not.toContain('"v"');
    }
    expect(listEncryptedColumns()).toContainEqual({ table: 'face_samples', column: 'sample_cipher', idColumn: 'id', tenantColumn: 'tenant_id' });
    const [consent] = await db().select().from(faceConsents).where(eq(faceConsents.employeeId, anil.id));
    expect(consent).toMatchObject({ textVersion: CONSENT_TEXT_VERSION, kioskId: A.kiosk.kioskId, withdrawnAt: null });
    const [entry] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, anil.id), eq(auditEvents.action, 'attendance.face_enrolled')));
    expect(entry).toMatchObject({ actorKind: 'kiosk', actorId: A.kiosk.kioskId });
  });

  it('binds each sample to its employee: a row moved to another employee is not used, and alerts', async () => {
    const [moved] = await db().select().from(faceSamples).where(eq(faceSamples.employeeId, anil.id));
    await db().update(faceSamples).set({ employeeId: bela.id }).where(eq(faceSamples.id, moved!.id));
    await db().execute(sql`UPDATE attendance_settings SET enrolment_version = enrolment_version + 1 WHERE tenant_id = ${A.id}`);
    clock.advance(10 * 60_000);
    // Anil's own two samples still find him; the moved one is refused rather than making him Bela.
    expect((await recognize(A, faces.get(anil.id)!)).json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Anil' } });
    expect(alertsOf('attendance.sample_mismatch').map((a) => a.sampleId)).toEqual([moved!.id]);
    await db().update(faceSamples).set({ employeeId: anil.id }).where(eq(faceSamples.id, moved!.id));
    await db().execute(sql`UPDATE attendance_settings SET enrolment_version = enrolment_version + 1 WHERE tenant_id = ${A.id}`);
  });

  it('leaves out a sample whose ciphertext is refused (alerted), and still matches from the others', async () => {
    const [tampered, donor] = await db().select().from(faceSamples).where(eq(faceSamples.employeeId, anil.id));
    // Another row's ciphertext: valid bytes, wrong associated data (row id), so the tag fails.
    await db().update(faceSamples).set({ sampleCipher: donor!.sampleCipher }).where(eq(faceSamples.id, tampered!.id));
    await db().execute(sql`UPDATE attendance_settings SET enrolment_version = enrolment_version + 1 WHERE tenant_id = ${A.id}`);
    clock.advance(10 * 60_000);
    // An instance that decrypts the row (here a new one: the running one keeps the authentic vector it decrypted
    // before, and decrypts only new samples) refuses it, alerts, and matches from Anil's other samples.
    const fresh = await buildApp(t.config, { database: t.db.database, clock, logger });
    try {
      const res = await recognize(A, faces.get(anil.id)!, fresh);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Anil' } });
      expect(alertsOf('crypto.decrypt_failed').map((a) => a.rowId)).toContain(tampered!.id);
    } finally {
      await fresh.close();
    }
    expect((await recognize(A, faces.get(anil.id)!)).json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Anil' } });
    await db().update(faceSamples).set({ sampleCipher: tampered!.sampleCipher }).where(eq(faceSamples.id, tampered!.id));
    await db().execute(sql`UPDATE attendance_settings SET enrolment_version = enrolment_version + 1 WHERE tenant_id = ${A.id}`);
  });

  it('refuses without an open enrolment, and inconsistent samples, keeping nothing', async () => {
    const farah = await factories.employee(t.app, A.id, { fullName: 'Farah Khan' });
    const face = randomFace(random);
    const samples = [face, near(face, 0.05, random), near(face, 0.05, random)];
    let { nonce, liveness } = await challenge(t.app, A.kiosk);
    const closed = await signedPost(t.app, A.kiosk, 'enrol', enrolBody(A.kiosk, nonce, liveness.challenge, farah.code, samples));
    expect(closed.statusCode).toBe(409);
    expect(closed.json().error).toBe('enrolment_not_open');
    await openEnrolment(A, farah);
    ({ nonce, liveness } = await challenge(t.app, A.kiosk));
    const spread = await signedPost(t.app, A.kiosk, 'enrol', enrolBody(A.kiosk, nonce, liveness.challenge, farah.code, [face, face, randomFace(random)]));
    expect(spread.statusCode).toBe(422);
    expect(spread.json().error).toBe('inconsistent_samples');
    // Consent to a notice that is not the current one (an old kiosk, or a third party's own words) records nothing.
    ({ nonce, liveness } = await challenge(t.app, A.kiosk));
    const oldNotice = await signedPost(
      t.app,
      A.kiosk,
      'enrol',
      enrolBody(A.kiosk, nonce, liveness.challenge, farah.code, samples, {
        consent: { textVersion: 'face-consent-v0', acceptedAt: clock.now().toISOString() },
      }),
    );
    expect(oldNotice.statusCode).toBe(400);
    expect(oldNotice.json()).toMatchObject({ error: 'invalid_body', message: expect.stringContaining('consent.textVersion: is not the current notice') });
    expect(await db().select().from(faceSamples).where(eq(faceSamples.employeeId, farah.id))).toEqual([]);
    expect(await db().select().from(faceConsents).where(eq(faceConsents.employeeId, farah.id))).toEqual([]);
    expect((await nonceRow(nonce))!.usedAt).toBeNull();
    // Two samples are too few, six too many.
    ({ nonce, liveness } = await challenge(t.app, A.kiosk));
    for (const count of [2, 6]) {
      const res = await signedPost(t.app, A.kiosk, 'enrol', enrolBody(A.kiosk, nonce, liveness.challenge, farah.code, Array(count).fill(face)));
      expect(res.json().error).toBe('invalid_body');
    }
    expect(distance(samples[0]!, samples[1]!)).toBeLessThan(0.3);
  });

  it('refuses to enrol a face that already matches another employee', async () => {
    const lata = await factories.employee(t.app, A.id, { fullName: 'Lata Joshi' });
    await openEnrolment(A, lata);
    const { nonce, liveness } = await challenge(t.app, A.kiosk);
    const anilsFace = faces.get(anil.id)!;
    const samples = [near(anilsFace, 0.05, random), near(anilsFace, 0.05, random), near(anilsFace, 0.05, random)];
    const res = await signedPost(t.app, A.kiosk, 'enrol', enrolBody(A.kiosk, nonce, liveness.challenge, lata.code, samples));
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('face_already_enrolled');
    expect(await db().select().from(faceSamples).where(eq(faceSamples.employeeId, lata.id))).toEqual([]);
  });

  it('deletes the samples on withdrawal (audited) and stops matching', async () => {
    const gita = await factories.employee(t.app, A.id, { fullName: 'Gita Menon' });
    const face = randomFace(random);
    await enrol(A, gita, face);
    clock.advance(10 * 60_000);
    expect((await recognize(A, near(face, 0.05, random))).json().result).toBe('recognized');
    await refreshHr(A);
    const res = await submitForm(t.app, A.hr, '/attendance/kiosks', '/attendance/enrolments/withdraw', { employeeCode: gita.code });
    expect(res.statusCode).toBe(303);
    expect(await db().select().from(faceSamples).where(eq(faceSamples.employeeId, gita.id))).toEqual([]);
    const [consent] = await db().select().from(faceConsents).where(eq(faceConsents.employeeId, gita.id));
    expect(consent!.withdrawnAt).not.toBeNull();
    const [entry] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, gita.id), eq(auditEvents.action, 'attendance.face_withdrawn')));
    expect(entry).toMatchObject({ actorKind: 'user' });
    expect((await recognize(A, near(face, 0.05, random))).json().error).toBe('not_recognized');
  });
});

describe("HR's punch list", () => {
  it('shows every punch with its method, distance and kiosk', async () => {
    await refreshHr(A);
    const page = await getPage(t.app, A.hr, '/attendance/punches');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Anil Kumar');
    expect(page.body).toContain('Front door');
    expect(page.body).toMatch(/<td>Face<\/td>\s*<td class="num">0\.\d+<\/td>\s*<td class="num">0\.\d+<\/td>/); // distance, liveness
    expect(page.body).not.toContain('Esha Iyer'); // company B's
  });
});

describe('PIN fallback', () => {
  let jaya: FactoryEmployee;

  beforeAll(async () => {
    jaya = await factories.employee(t.app, A.id, { fullName: 'Jaya Nair' });
    const account = await factories.user(db(), A.id, { role: 'employee', employeeId: jaya.id });
    const jar = await sessionFor(t.app, account.email);
    const res = await submitForm(t.app, jar, '/attendance/pin', '/attendance/pin', { pin: '4821', confirm: '4821' });
    expect(res.statusCode, res.body).toBe(303);
  });

  async function pinPunch(code: string, pin: string) {
    const { nonce } = await challenge(t.app, A.kiosk);
    const res = await signedPost(t.app, A.kiosk, 'pin-punch', { kioskId: A.kiosk.kioskId, nonce, employeeCode: code, pin });
    return { res, nonce };
  }

  it('punches with the employee code and PIN (method pin)', async () => {
    clock.advance(10 * 60_000);
    const { res } = await pinPunch(jaya.code, '4821');
    expect(res.json()).toEqual({ result: 'recognized', employee: { firstName: 'Jaya' }, direction: 'in', at: clock.now().toISOString() });
    const rows = await punchesOf(jaya.id);
    expect(rows.map((p) => [p.method, p.direction, p.distance])).toEqual([['pin', 'in', null]]);
  });

  it('refuses a wrong PIN or an unknown code alike, keeping only the count', async () => {
    const audits = await auditCount(A.id);
    for (const [code, pin] of [
      [jaya.code, '0000'],
      ['NOBODY', '4821'],
    ] as const) {
      const { res, nonce } = await pinPunch(code, pin);
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toBe('pin_invalid');
      expect((await nonceRow(nonce))!.usedAt).toBeNull();
    }
    expect(await punchesOf(jaya.id)).toHaveLength(1);
    expect(await auditCount(A.id)).toBe(audits);
  });

  it('locks the PIN after 5 wrong tries for 15 minutes', async () => {
    clock.advance(10 * 60_000);
    for (let i = 0; i < 4; i++) expect((await pinPunch(jaya.code, '1111')).res.json().error).toBe('pin_invalid'); // 1 from the test before
    const locked = await pinPunch(jaya.code, '4821');
    expect(locked.res.statusCode).toBe(429);
    expect(locked.res.json().error).toBe('pin_locked');
    clock.advance(15 * 60_000 + 1);
    const { res } = await pinPunch(jaya.code, '4821');
    expect(res.json()).toMatchObject({ result: 'recognized', direction: 'out' });
  });

  it('refuses a malformed PIN body', async () => {
    const { nonce } = await challenge(t.app, A.kiosk);
    for (const pin of ['12', '1234567', 'abcd', 4821]) {
      const res = await signedPost(t.app, A.kiosk, 'pin-punch', { kioskId: A.kiosk.kioskId, nonce, employeeCode: jaya.code, pin });
      expect(res.json().error).toBe('invalid_body');
    }
  });
});

describe('key rotation', () => {
  it('re-encrypts the face samples, which still match after the matcher is rebuilt', async () => {
    const result = await rotateTenantKey({ db: db(), keyProvider: createKeyProvider(t.config), cipher: t.app.fieldCipher }, A.id, { batchSize: 5 });
    expect(result).toMatchObject({ outcome: 'rotated', targetVersion: 2, rowsRejected: 0 });
    const rows = await db().select().from(faceSamples).where(eq(faceSamples.tenantId, A.id));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(keyVersionOf(row.sampleCipher)).toBe(2);
    // A new enrolment bumps the version: the matcher is rebuilt from every (rotated) sample.
    const ivan = await factories.employee(t.app, A.id, { fullName: 'Ivan Pinto' });
    await enrol(A, ivan, randomFace(random));
    clock.advance(10 * 60_000);
    expect((await recognize(A, near(faces.get(bela.id)!, 0.05, random))).json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Bela' } });
  });
});

describe('leaving the company', () => {
  it("deletes a leaver's face samples the day after their last day, audited as the system", async () => {
    const today = new Date(clock.now().getTime() + 5.5 * 3600_000).toISOString().slice(0, 10);
    const kiran = await factories.employee(t.app, A.id, { fullName: 'Kiran Bose', dateOfLeaving: today });
    await enrol(A, kiran, randomFace(random));
    expect(await t.app.attendance.deleteLeaversFaces('job-1', clock.now())).toBe(0); // still their last day
    clock.advance(24 * 3600_000);
    expect(await t.app.attendance.deleteLeaversFaces('job-2', clock.now())).toBe(1);
    expect(await db().select().from(faceSamples).where(eq(faceSamples.employeeId, kiran.id))).toEqual([]);
    const [consent] = await db().select().from(faceConsents).where(eq(faceConsents.employeeId, kiran.id));
    expect(consent!.withdrawnAt).not.toBeNull(); // the consent ends with the samples
    const [entry] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, kiran.id), eq(auditEvents.action, 'attendance.face_deleted_on_exit')));
    expect(entry).toMatchObject({ actorKind: 'system', actorId: 'attendance.housekeeping', requestId: 'job-2' });
  });
});

describe('housekeeping', () => {
  it('deletes expired nonces and tickets and old refusal counts, nothing live', async () => {
    const { nonce } = await challenge(t.app, A.kiosk);
    expect((await purgeKioskRows(db(), clock.now())).nonces).toBeGreaterThan(0); // the earlier tests' old ones
    expect(await nonceRow(nonce)).toBeDefined(); // a live one stays
    expect((await purgeKioskRows(db(), clock.now())).nonces).toBe(0);
    clock.advance(KIOSK_RETENTION.rejectionCountsMs + 1000);
    const purged = await purgeKioskRows(db(), clock.now());
    expect(purged.nonces).toBeGreaterThan(0);
    expect(purged.rejectionCounts).toBeGreaterThan(0);
    expect(await db().select().from(kioskNonces)).toEqual([]);
    expect(await db().select().from(kioskRejections)).toEqual([]);
  });
});

describe('a second app instance', () => {
  const second = useSecondInstance(t);

  it('sees enrolment changes made on the first (the version is read per request)', async () => {
    // The second instance runs on the real clock: its nonces and captures follow it.
    clock.set(new Date());
    const hana = await factories.employee(t.app, A.id, { fullName: 'Hana Ali' });
    const face = randomFace(random);
    // Warm the second instance's matcher for company A, then enrol on the first.
    expect((await recognize(A, face, second.app)).json().error).toBe('not_recognized');
    await enrol(A, hana, face);
    expect((await recognize(A, near(face, 0.05, random), second.app)).json()).toMatchObject({ result: 'recognized', employee: { firstName: 'Hana' } });
    await refreshHr(A);
    await submitForm(t.app, A.hr, '/attendance/kiosks', '/attendance/enrolments/withdraw', { employeeCode: hana.code });
    expect((await recognize(A, near(face, 0.05, random), second.app)).json().error).toBe('not_recognized');
  });
});
