import { createHash, createHmac, createPublicKey, randomBytes, randomInt } from 'node:crypto';
import { istDay } from '../../platform/clock/index.js';
import { actingAs, systemContext, type RequestContext } from '../../platform/context/index.js';
import { inTransaction } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import { bcryptCompare, bcryptHash } from '../../platform/cpu/index.js';
import { badSignature, type Caller } from '../access/index.js';
import { euclidean } from './matcher.js';
import { type EnrolInput, type PairInput, type PinPunchInput } from './input.js';
import { FACE_SAMPLE_LOCATION, LIVENESS_CHALLENGES } from './schema.js';
import * as store from './store.js';
import { firstNameOf, sealSample } from './face-samples.js';
import { newPairingCode, normaliseCode, signatureVerifies } from './kiosk-identity.js';
import { KIOSK_LIMITS, PIN_COST, refusals, type RecognizeResult } from './kiosk-rules.js';
import { createRecognition, employeeTarget, PUNCH_ISOLATION, type AttendanceDeps } from './recognition.js';
import { CONSENT_TEXT_VERSION } from './consent.js';

export type { AttendanceDeps } from './recognition.js';
import { NEAR_MISS, NEAR_MISS_BUCKETS, nearMissTable } from './near-misses.js';

export { KIOSK_LIMITS, refusals, type RecognizeResult } from './kiosk-rules.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function createAttendance(deps: AttendanceDeps) {
  const { db, cipher, audit } = deps;
  const now = () => deps.clock.now();
  const { counted, kioskOfContext, lockLiveNonce, spendNonce, recordPunch, recognize, countRefusal, inTransactionWithMatcher } = createRecognition(deps);

  /** HMAC first (bcrypt reads 72 bytes at most, and the pepper keeps a stolen table from being brute-forced alone), bound to the employee. */
  const pinPreHash = (employeeId: string, pin: string) => createHmac('sha256', deps.pinPepper).update(`kiosk-pin:${employeeId}:${pin}`).digest('base64');
  let dummyPinHash: Promise<string> | undefined;

  const kioskTarget = (id: string) => ({ type: 'kiosk', id });

  return {
    // HR: kiosks

    listKiosks: (caller: Caller) => store.listKiosks(db, caller.tenantId),

    /** A new kiosk waiting to be paired; the code is shown once and kept only as a hash. */
    async createKiosk(caller: Caller, input: { name: string; location: string | null }) {
      const id = newId();
      const pairingCode = newPairingCode();
      const expiresAt = new Date(now().getTime() + KIOSK_LIMITS.pairingCodeMs);
      await inTransaction(db, async (tx) => {
        await store.insertKiosk(tx, caller.tenantId, {
          id,
          name: input.name,
          location: input.location,
          pairingCodeHash: sha256(normaliseCode(pairingCode)),
          pairingExpiresAt: expiresAt,
        });
        await audit.recordFor(tx, caller.context, 'kiosk.created', kioskTarget(id), { name: input.name, location: input.location });
      });
      return { kioskId: id, pairingCode, expiresAt };
    },

    async revokeKiosk(caller: Caller, kioskId: string) {
      await inTransaction(db, async (tx) => {
        const kiosk = await store.findKiosk(tx, caller.tenantId, kioskId);
        if (!kiosk) throw new NotFound('No such kiosk');
        if (!(await store.revokeKiosk(tx, caller.tenantId, kioskId, now()))) return;
        await audit.recordFor(tx, caller.context, 'kiosk.revoked', kioskTarget(kioskId), { name: kiosk.name });
      });
    },

    // Kiosk: pairing and identity

    /** Registers the kiosk's public key with the one-time code; the kiosk is the actor of its own pairing. */
    async pair(context: RequestContext, input: PairInput): Promise<{ kioskId: string }> {
      const jwk = { kty: 'EC', crv: 'P-256', x: input.publicKeyJwk.x, y: input.publicKeyJwk.y };
      try {
        createPublicKey({ key: jwk, format: 'jwk' }); // the point must lie on the curve
      } catch {
        throw refusals.invalidBody('publicKeyJwk: is not a P-256 public key');
      }
      const codeHash = sha256(normaliseCode(input.pairingCode));
      const at = now();
      const kiosk = await store.kioskByPairingCode(db, codeHash, at);
      if (!kiosk) throw refusals.pairingInvalid();
      await inTransaction(db, async (tx) => {
        if (!(await store.completePairing(tx, kiosk.tenantId, kiosk.id, codeHash, { publicKeyJwk: JSON.stringify(jwk), deviceName: input.deviceName, at }))) {
          throw refusals.pairingInvalid();
        }
        const asKiosk = actingAs(context, kiosk.tenantId, { kind: 'kiosk', kioskId: kiosk.id });
        await audit.recordFor(tx, asKiosk, 'kiosk.paired', kioskTarget(kiosk.id), { deviceName: input.deviceName });
      });
      return { kioskId: kiosk.id };
    },

    /**
     * Checks a kiosk request's signature over the exact body bytes; returns the kiosk it proves. Unknown
     * kiosk or a signature that does not verify: bad_signature; a revoked (or never paired) kiosk that
     * signs correctly: kiosk_revoked. Refusals of a known kiosk are counted.
     */
    async verifyKiosk(kioskId: string, rawBody: Buffer, signature: string): Promise<{ tenantId: string; kioskId: string }> {
      const kiosk = await store.kioskForSignature(db, kioskId);
      if (!kiosk || !kiosk.publicKeyJwk) {
        if (kiosk) await countRefusal(kiosk.tenantId, kiosk.id, 'bad_signature');
        throw badSignature();
      }
      if (!signatureVerifies(kiosk, rawBody, signature)) {
        await countRefusal(kiosk.tenantId, kiosk.id, 'bad_signature');
        throw badSignature();
      }
      if (kiosk.status !== 'active') {
        await countRefusal(kiosk.tenantId, kiosk.id, 'kiosk_revoked');
        throw refusals.kioskRevoked();
      }
      return { tenantId: kiosk.tenantId, kioskId: kiosk.id };
    },

    // Kiosk: recognition

    /** A fresh nonce and the liveness challenge the capture must answer. */
    async challenge(context: RequestContext) {
      const { tenantId, kioskId } = kioskOfContext(context);
      const nonce = randomBytes(16).toString('hex');
      const challenge = deps.pickChallenge?.() ?? LIVENESS_CHALLENGES[randomInt(LIVENESS_CHALLENGES.length)]!;
      const expiresAt = new Date(now().getTime() + KIOSK_LIMITS.nonceMs);
      await store.insertNonce(db, tenantId, { nonce, kioskId, challenge, expiresAt });
      return { nonce, expiresAt: expiresAt.toISOString(), liveness: { challenge } };
    },

    recognize,

    /**
     * The fallback without a face (kiosk.md: refusing enrolment costs nothing): employee code and
     * personal PIN. Wrong PINs count towards the employee's lock; nothing else is kept on a refusal.
     */
    pinPunch(context: RequestContext, input: PinPunchInput): Promise<RecognizeResult> {
      const { tenantId, kioskId } = kioskOfContext(context);
      return counted(context, async () => {
        // The nonce first, without spending it: a refused PIN leaves it usable until it expires.
        await inTransaction(db, (tx) => lockLiveNonce(tx, tenantId, kioskId, input.nonce, now()));
        const employee = await store.employeeByCode(db, tenantId, input.employeeCode);
        const pin = employee && (await store.pinOf(db, tenantId, employee.id));
        if (!employee || !pin) {
          // The same bcrypt work as a real check: the time says nothing about which codes exist.
          dummyPinHash ??= bcryptHash(pinPreHash('nobody', '000000'), PIN_COST);
          await bcryptCompare(pinPreHash('nobody', input.pin), await dummyPinHash);
          throw refusals.pinInvalid();
        }
        if (pin.lockedUntil && pin.lockedUntil.getTime() > now().getTime()) throw refusals.pinLocked();
        if (!(await bcryptCompare(pinPreHash(employee.id, input.pin), pin.pinHash))) {
          await store.failPin(db, tenantId, employee.id, KIOSK_LIMITS.pinFailures, new Date(now().getTime() + KIOSK_LIMITS.pinLockMs));
          throw refusals.pinInvalid();
        }
        return inTransaction(
          db,
          async (tx) => {
            const { at } = await spendNonce(tx, tenantId, kioskId, input.nonce, null);
            await store.clearPinFailures(tx, tenantId, employee.id);
            return recordPunch(tx, context, { id: employee.id, firstName: firstNameOf(employee.fullName) }, at, { method: 'pin' });
          },
          PUNCH_ISOLATION,
        );
      });
    },

    /** An employee sets (or changes) their own kiosk PIN. */
    async setOwnPin(caller: Caller, pin: string) {
      if (caller.scope.kind !== 'self' || !caller.scope.employeeId) throw new Invalid('pin', 'your account is not linked to an employee record');
      const employeeId = caller.scope.employeeId;
      const hash = await bcryptHash(pinPreHash(employeeId, pin), PIN_COST);
      await inTransaction(db, async (tx) => {
        await store.setPin(tx, caller.tenantId, employeeId, hash, now());
        await audit.recordFor(tx, caller.context, 'attendance.pin_set', employeeTarget(employeeId));
      });
    },

    // Enrolment

    /** HR lets a kiosk enrol this employee for a short while (the employee then consents on the kiosk). */
    async openEnrolment(caller: Caller, employeeCode: string) {
      const employee = await store.employeeByCode(db, caller.tenantId, employeeCode);
      if (!employee) throw new Invalid('employeeCode', 'is not an employee of this company');
      const expiresAt = new Date(now().getTime() + KIOSK_LIMITS.enrolmentTicketMs);
      await inTransaction(db, async (tx) => {
        await store.insertTicket(tx, caller.tenantId, { id: newId(), employeeId: employee.id, openedBy: caller.viewer.userId, expiresAt });
        await audit.recordFor(tx, caller.context, 'attendance.enrolment_opened', employeeTarget(employee.id), { expiresAt: expiresAt.toISOString() });
      });
      return { employee, expiresAt };
    },

    /** The kiosk's signed samples with the employee's consent: stored encrypted, replacing any earlier ones. */
    enrol(context: RequestContext, input: EnrolInput): Promise<{ result: 'enrolled'; samples: number }> {
      const { tenantId, kioskId } = kioskOfContext(context);
      return counted(context, () =>
        inTransactionWithMatcher(tenantId, async (tx, matcherAt) => {
          const { at, settings } = await spendNonce(tx, tenantId, kioskId, input.nonce, input.liveness);
          if (input.consent.acceptedAt.getTime() - at.getTime() > KIOSK_LIMITS.captureSkewMs)
            throw refusals.invalidBody('consent.acceptedAt: is in the future');
          // A consent names the words read: a kiosk showing an old or its own notice records no consent to ours.
          if (input.consent.textVersion !== CONSENT_TEXT_VERSION)
            throw refusals.invalidBody(`consent.textVersion: is not the current notice (${CONSENT_TEXT_VERSION}): show it and ask again`);
          const employee = await store.employeeByCode(tx, tenantId, input.employeeCode);
          const ticket = employee && (await store.lockOpenTicket(tx, tenantId, employee.id, at));
          if (!employee || !ticket) throw refusals.enrolmentNotOpen();
          for (let i = 0; i < input.samples.length; i++) {
            for (let j = i + 1; j < input.samples.length; j++) {
              if (euclidean(input.samples[i]!, input.samples[j]!) > KIOSK_LIMITS.sampleSpreadMax) throw refusals.inconsistentSamples();
            }
          }
          // Someone enrolling their face under another's code would punch for them: a face the company's
          // matcher already gives to another employee is refused.
          const { matcher } = matcherAt(settings.enrolmentVersion);
          for (const sample of input.samples) {
            const outcome = matcher.match(sample, { threshold: settings.matchThreshold, margin: settings.matchMargin });
            if (outcome.kind === 'recognized' && outcome.employeeId !== employee.id) throw refusals.faceAlreadyEnrolled();
          }
          const replaced = await store.deleteSamples(tx, tenantId, employee.id);
          const rows = [];
          for (const sample of input.samples) {
            const id = newId();
            rows.push({
              id,
              employeeId: employee.id,
              sampleCipher: await cipher.encrypt(tenantId, { ...FACE_SAMPLE_LOCATION, rowId: id }, sealSample(employee.id, sample)),
            });
          }
          await store.insertSamples(tx, tenantId, rows);
          await store.insertConsent(tx, tenantId, {
            id: newId(),
            employeeId: employee.id,
            textVersion: input.consent.textVersion,
            acceptedAt: input.consent.acceptedAt,
            kioskId,
          });
          await store.useTicket(tx, tenantId, ticket.id, at);
          await store.bumpEnrolmentVersion(tx, tenantId);
          await audit.recordFor(tx, context, 'attendance.face_enrolled', employeeTarget(employee.id), {
            samples: rows.length,
            replaced,
            consentTextVersion: input.consent.textVersion,
          });
          return { result: 'enrolled' as const, samples: rows.length };
        }),
      );
    },

    /** Consent withdrawn (or the employee left): the samples are hard-deleted, audited, and every instance's matcher drops them. */
    async withdrawFace(caller: Caller, employeeCode: string): Promise<number> {
      const employee = await store.employeeByCode(db, caller.tenantId, employeeCode);
      if (!employee) throw new Invalid('employeeCode', 'is not an employee of this company');
      return inTransaction(db, async (tx) => {
        const at = now();
        const deleted = await store.deleteSamples(tx, caller.tenantId, employee.id);
        await store.withdrawConsents(tx, caller.tenantId, employee.id, at);
        await store.bumpEnrolmentVersion(tx, caller.tenantId);
        await audit.recordFor(tx, caller.context, 'attendance.face_withdrawn', employeeTarget(employee.id), { samplesDeleted: deleted });
        return deleted;
      });
    },

    /**
     * Leaving the company deletes the face samples (kiosk.md, "Enrolment"): the day after an employee's
     * date of leaving (IST), whichever company, audited as the platform's own work.
     */
    async deleteLeaversFaces(jobId: string, at: Date): Promise<number> {
      const leavers = await store.leaversWithSamples(db, istDay(at));
      for (const { tenantId, employeeId } of leavers) {
        await inTransaction(db, async (tx) => {
          const deleted = await store.deleteSamples(tx, tenantId, employeeId);
          await store.withdrawConsents(tx, tenantId, employeeId, at);
          await store.bumpEnrolmentVersion(tx, tenantId);
          await audit.recordFor(tx, systemContext('attendance.housekeeping', jobId, tenantId), 'attendance.face_deleted_on_exit', employeeTarget(employeeId), {
            samplesDeleted: deleted,
          });
        });
      }
      return leavers.length;
    },

    settings: (caller: Caller) => store.settingsOf(db, caller.tenantId),

    /** Near misses of the last NEAR_MISS.days IST days, per kiosk and bucket, for HR to tune the threshold. */
    async nearMisses(caller: Caller) {
      const from = istDay(new Date(now().getTime() - (NEAR_MISS.days - 1) * 24 * 3600_000));
      return { buckets: NEAR_MISS_BUCKETS, days: NEAR_MISS.days, byKiosk: nearMissTable(await store.nearMissesSince(db, caller.tenantId, from)) };
    },

    /** The rule HR can tune per company, within the ranges kiosk.md allows; audited with before → after. */
    async setMatchRule(caller: Caller, rule: { matchThreshold: number; matchMargin: number; livenessThreshold: number }) {
      await inTransaction(db, async (tx) => {
        const before = await store.settingsOf(tx, caller.tenantId);
        await store.setSettings(tx, caller.tenantId, rule);
        const { enrolmentVersion: _version, ...was } = before;
        await audit.recordFor(tx, caller.context, 'attendance.settings_changed', { type: 'company', id: caller.tenantId }, { before: was, after: rule });
      });
    },
  };
}

export type Attendance = ReturnType<typeof createAttendance>;
