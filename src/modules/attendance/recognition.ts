import { istDay } from '../../platform/clock/index.js';
import type { RequestContext } from '../../platform/context/index.js';
import { inTransaction, type Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { Refused } from '../../platform/errors.js';
import { badSignature } from '../access/index.js';
import { firstAlertInWindow } from '../identity/index.js';
import { createMatcherCache, type Enrolled } from './face-samples.js';
import type { RecognizeInput } from './input.js';
import { BURST_CODES, KIOSK_LIMITS, refusals, type RecognizeResult } from './kiosk-rules.js';
import { nearMissBucket } from './near-misses.js';
import type { Direction, LivenessChallenge } from './schema.js';
import type { Clock } from '../../platform/clock/index.js';
import type { FieldCipher } from '../../platform/crypto/index.js';
import type { Alerter } from '../../platform/observability/alert.js';
import type { Audit } from '../audit/index.js';
import * as store from './store.js';

export interface AttendanceDeps {
  db: Db;
  cipher: FieldCipher;
  clock: Clock;
  audit: Audit;
  alert: Alerter;
  /** The server secret PINs are HMAC'd with before bcrypt (the password pepper). */
  pinPepper: string;
  /** Which liveness challenge a nonce asks for: random; the real-face browser test fixes it (a video cannot blink on demand). */
  pickChallenge?: () => LivenessChallenge;
}

/**
 * One punch from a kiosk (kiosk.md, "Recognition"), and what the other signed captures (PIN punch,
 * enrolment) share with it: the nonce, the refusal counters, the punch itself.
 *
 * Round trips of a recognition, in its one transaction: BEGIN, spend the nonce, read it with the company's
 * settings, lock the employee's last punch, insert the punch, insert the audit entry, COMMIT (plus the kiosk
 * look-up of the signature check before it). The matcher and the employees' first names come from memory,
 * rebuilt only when the company's enrolment version moves.
 */
export function createRecognition(deps: AttendanceDeps) {
  const { db, cipher, audit, alert } = deps;
  const now = () => deps.clock.now();
  const matchers = createMatcherCache({ cipher, alert });

  /** Counts a refusal of a known kiosk; a burst of non-matches or liveness failures alerts once per window. */
  async function countRefusal(tenantId: string, kioskId: string, code: string): Promise<void> {
    const at = now();
    const windowStart = Math.floor(at.getTime() / KIOSK_LIMITS.burstWindowMs);
    const total = await store.countRejection(db, tenantId, kioskId, code, windowStart, BURST_CODES); // 0 for a code outside BURST_CODES
    if (total < KIOSK_LIMITS.burstRefusals) return;
    if (await firstAlertInWindow(db, 'kiosk.refusal_burst', kioskId, KIOSK_LIMITS.burstWindowMs, at))
      alert('attendance.kiosk_refusal_burst', { tenantId, kioskId, refusals: total, windowMinutes: KIOSK_LIMITS.burstWindowMs / 60_000 });
  }

  /** Runs a kiosk's use case; a refusal is counted (its transaction already rolled back: nothing else is kept). */
  async function counted<T>(context: RequestContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const { kioskId, tenantId } = kioskOfContext(context);
      if (error instanceof Refused) await countRefusal(tenantId, kioskId, error.code);
      if (error instanceof NearMiss) {
        await store.countNearMiss(db, tenantId, kioskId, istDay(error.at), error.bucket);
        throw refusals.notRecognized();
      }
      throw error;
    }
  }

  function kioskOfContext(context: RequestContext): { kioskId: string; tenantId: string } {
    if (context.actor?.kind !== 'kiosk' || !context.tenantId) throw badSignature();
    return { kioskId: context.actor.kioskId, tenantId: context.tenantId };
  }

  /** The kiosk's nonce, locked in `tx`: refused when unknown, used or expired at `at`. */
  async function lockLiveNonce(tx: Db, tenantId: string, kioskId: string, nonce: string, at: Date) {
    const row = await store.lockNonce(tx, tenantId, kioskId, nonce);
    refuseDeadNonce(row, at);
    return row!;
  }

  function refuseDeadNonce(row: { usedAt: Date | null; expiresAt: Date } | undefined, at: Date): void {
    if (!row) throw refusals.nonceUnknown();
    if (row.usedAt) throw refusals.nonceReused();
    if (row.expiresAt.getTime() <= at.getTime()) throw refusals.nonceExpired();
  }

  /**
   * The nonce, used inside `tx`, then the checks every signed capture shares: capturedAt near the server's
   * clock, liveness answered the challenge issued with a score at the threshold. The nonce is spent first
   * (one UPDATE that also locks it, so one nonce serves one request) and read back with the settings; only
   * when it could not be spent is it read to say why. Every refusal rolls `tx` back, so a refused nonce stays
   * unused; the refusals come in kiosk.md's order whatever the path.
   */
  async function spendNonce(
    tx: Db,
    tenantId: string,
    kioskId: string,
    nonce: string,
    liveness: { score: number; method: LivenessChallenge } | null,
    capturedAt?: Date,
  ) {
    const at = now();
    const spent = await store.spendNonce(tx, tenantId, kioskId, nonce, at);
    const { row, settings } = await store.nonceWithSettings(tx, tenantId, kioskId, nonce);
    if (!spent) {
      refuseDeadNonce(row, at);
      throw refusals.nonceReused(); // spent by another request between the two statements
    }
    if (capturedAt && Math.abs(capturedAt.getTime() - at.getTime()) > KIOSK_LIMITS.captureSkewMs) throw refusals.captureSkew();
    if (liveness && (liveness.method !== row!.challenge || liveness.score < settings.livenessThreshold)) throw refusals.livenessFailed();
    return { at, settings };
  }

  /**
   * A punch for the employee at `at`: in/out by their last punch that IST day; a punch within 2 minutes
   * of the last one is that punch again (merged, audited as such). Answers only the first name.
   */
  async function recordPunch(
    tx: Db,
    context: RequestContext,
    employee: { id: string; firstName: string },
    at: Date,
    evidence: { method: 'face' | 'pin'; distance?: number; livenessScore?: number },
  ): Promise<RecognizeResult> {
    const { tenantId, kioskId } = kioskOfContext(context);
    const employeeId = employee.id;
    const firstName = employee.firstName;
    // Only today's last punch sets the direction and only the last 2 minutes merge: 36 hours back covers any IST day.
    const locked = await store.lockEmployeeWithLastPunch(tx, tenantId, employeeId, new Date(at.getTime() - 36 * 3600_000));
    if (!locked) throw refusals.notRecognized(); // a sample of an employee since deleted: nobody to punch
    const last = locked.lastPunch;
    if (last && at.getTime() - last.at.getTime() < KIOSK_LIMITS.punchMergeMs) {
      await audit.recordFor(tx, context, 'attendance.punch_merged', employeeTarget(employeeId), { punchId: last.id, ...evidence });
      return { result: 'recognized', employee: { firstName }, direction: last.direction, at: last.at.toISOString() };
    }
    const day = istDay(at);
    const direction: Direction = last && last.istDay === day && last.direction === 'in' ? 'out' : 'in';
    const punchId = newId();
    await store.insertPunch(tx, tenantId, {
      id: punchId,
      employeeId,
      kioskId,
      at,
      istDay: day,
      direction,
      method: evidence.method,
      distance: evidence.distance ?? null,
      livenessScore: evidence.livenessScore ?? null,
    });
    await audit.recordFor(tx, context, 'attendance.punch', employeeTarget(employeeId), { punchId, direction, ...evidence });
    return { result: 'recognized', employee: { firstName }, direction, at: at.toISOString() };
  }

  /**
   * Runs `work` in a transaction that may use the company's matcher at the enrolment version the transaction
   * reads (`matcherAt`). A matcher behind that version is never rebuilt inside the transaction: the rebuild needs
   * pool connections (the sample list, the company's data key) that requests waiting for it would all be holding,
   * and would wait for ever. So the transaction rolls back (a refusal-free rollback: the nonce is unused again),
   * the matcher is rebuilt outside, and the work runs again. In the steady state this costs nothing.
   */
  async function inTransactionWithMatcher<T>(
    tenantId: string,
    work: (tx: Db, matcherAt: (version: number) => Enrolled) => Promise<T>,
    config?: typeof PUNCH_ISOLATION,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(
          db,
          (tx) =>
            work(tx, (version) => {
              const ready = matchers.readyMatcher(tenantId, version);
              if (!ready) throw new MatcherBehind(version);
              return ready;
            }),
          config,
        );
      } catch (error) {
        if (!(error instanceof MatcherBehind) || attempt === 3) throw error;
        await matchers.matcherFor(tenantId, error.version, db);
      }
    }
  }

  /** One punch, or a refusal that leaves nothing but counters (kiosk.md, "Recognition"). */
  function recognize(context: RequestContext, input: RecognizeInput): Promise<RecognizeResult> {
    const { tenantId, kioskId } = kioskOfContext(context);
    return counted(context, () =>
      inTransactionWithMatcher(
        tenantId,
        async (tx, matcherAt) => {
          const { at, settings } = await spendNonce(tx, tenantId, kioskId, input.nonce, input.liveness, input.capturedAt);
          const enrolled = matcherAt(settings.enrolmentVersion);
          const rule = { threshold: settings.matchThreshold, margin: settings.matchMargin };
          const outcome = enrolled.matcher.match(input.embedding, rule);
          if (outcome.kind !== 'recognized') {
            // Only how far, never who: a refusal keeps no identity (kiosk.md), a near miss only a counter.
            const bucket = outcome.reason === 'too_far' ? nearMissBucket(outcome.bestDistance!, rule.threshold) : undefined;
            throw bucket === undefined ? refusals.notRecognized() : new NearMiss(at, bucket);
          }
          const distance = Math.round(outcome.distance * 10_000) / 10_000;
          const employee = { id: outcome.employeeId, firstName: enrolled.firstNames.get(outcome.employeeId) ?? '' };
          return recordPunch(tx, context, employee, at, { method: 'face', distance, livenessScore: input.liveness.score });
        },
        PUNCH_ISOLATION,
      ),
    );
  }

  return { countRefusal, counted, kioskOfContext, lockLiveNonce, spendNonce, recordPunch, recognize, inTransactionWithMatcher };
}

/** The transaction read an enrolment version this instance's matcher has not reached yet. */
class MatcherBehind extends Error {
  constructor(readonly version: number) {
    super(`the matcher is behind enrolment version ${version}`);
  }
}

/** A not_recognized whose best distance was just above the threshold: counted twice (refusal and near miss), answered as not_recognized. */
class NearMiss extends Refused {
  constructor(
    readonly at: Date,
    readonly bucket: number,
  ) {
    super(422, 'not_recognized', 'Face not recognised');
  }
}

/** The audit target of what a kiosk or HR does to an employee's attendance. */
export const employeeTarget = (id: string) => ({ type: 'employee', id });

/** A punch's transaction: no gap locks (store.lockEmployeeWithLastPunch says why); the employee row lock serialises. */
export const PUNCH_ISOLATION = { isolationLevel: 'read committed' } as const;
