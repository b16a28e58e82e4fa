import { and, desc, eq, gt, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { affectedRows } from '../../platform/db/client.js';
import { employees } from '../people/index.js';
import {
  attendanceSettings,
  employeePins,
  enrolmentTickets,
  faceConsents,
  faceSamples,
  kioskNonces,
  kiosks,
  punches,
  type Kiosk,
  type LivenessChallenge,
  type Punch,
} from './schema.js';

export const DEFAULT_SETTINGS = { livenessThreshold: 0.7, matchThreshold: 0.42, matchMargin: 0.06, enrolmentVersion: 0 } as const;
export type AttendanceSettings = { livenessThreshold: number; matchThreshold: number; matchMargin: number; enrolmentVersion: number };

/** The company's settings; the defaults until the company changes one (no row yet). */
export async function settingsOf(db: Db, tenantId: string): Promise<AttendanceSettings> {
  const [row] = await db.select().from(attendanceSettings).where(eq(attendanceSettings.tenantId, tenantId));
  return row ? settingsOfRow(row) : { ...DEFAULT_SETTINGS };
}

function settingsOfRow(row: typeof attendanceSettings.$inferSelect): AttendanceSettings {
  return { livenessThreshold: row.livenessThreshold, matchThreshold: row.matchThreshold, matchMargin: row.matchMargin, enrolmentVersion: row.enrolmentVersion };
}

/** Bumps the enrolment version: call in the transaction that changes the company's samples. */
export async function bumpEnrolmentVersion(tx: Db, tenantId: string): Promise<void> {
  await tx
    .insert(attendanceSettings)
    .values({ tenantId, enrolmentVersion: 1 })
    .onDuplicateKeyUpdate({ set: { enrolmentVersion: sql`${attendanceSettings.enrolmentVersion} + 1` } });
}

export async function setSettings(db: Db, tenantId: string, values: Partial<Omit<AttendanceSettings, 'enrolmentVersion'>>): Promise<void> {
  await db
    .insert(attendanceSettings)
    .values({ tenantId, ...values })
    .onDuplicateKeyUpdate({ set: values });
}

// Kiosks

export async function insertKiosk(
  db: Db,
  tenantId: string,
  kiosk: { id: string; name: string; location: string | null; pairingCodeHash: string; pairingExpiresAt: Date },
) {
  await db.insert(kiosks).values({ tenantId, ...kiosk, status: 'pending' });
}

export async function listKiosks(db: Db, tenantId: string): Promise<Kiosk[]> {
  return db.select().from(kiosks).where(eq(kiosks.tenantId, tenantId)).orderBy(kiosks.createdAt);
}

export async function findKiosk(db: Db, tenantId: string, kioskId: string): Promise<Kiosk | undefined> {
  const [row] = await db
    .select()
    .from(kiosks)
    .where(and(eq(kiosks.tenantId, tenantId), eq(kiosks.id, kioskId)));
  return row;
}

/**
 * A kiosk by id alone: the one look-up made before the company is known, to check a signature (as a
 * session is found by its token). Its company then scopes everything else.
 */
export async function kioskForSignature(db: Db, kioskId: string): Promise<Kiosk | undefined> {
  const [row] = await db.select().from(kiosks).where(eq(kiosks.id, kioskId));
  return row;
}

/** The pending kiosk a live pairing code belongs to (by its hash), any company: the code is the credential. */
export async function kioskByPairingCode(db: Db, codeHash: string, at: Date): Promise<Kiosk | undefined> {
  const [row] = await db
    .select()
    .from(kiosks)
    .where(and(eq(kiosks.pairingCodeHash, codeHash), eq(kiosks.status, 'pending'), gt(kiosks.pairingExpiresAt, at)));
  return row;
}

/** Uses the code: true for the one request that paired the kiosk. */
export async function completePairing(
  tx: Db,
  tenantId: string,
  kioskId: string,
  codeHash: string,
  values: { publicKeyJwk: string; deviceName: string; at: Date },
) {
  const result = await tx
    .update(kiosks)
    .set({
      status: 'active',
      pairingCodeHash: null,
      pairingExpiresAt: null,
      publicKeyJwk: values.publicKeyJwk,
      deviceName: values.deviceName,
      pairedAt: values.at,
    })
    .where(and(eq(kiosks.tenantId, tenantId), eq(kiosks.id, kioskId), eq(kiosks.pairingCodeHash, codeHash), eq(kiosks.status, 'pending')));
  return affectedRows(result) === 1;
}

export async function revokeKiosk(tx: Db, tenantId: string, kioskId: string, at: Date): Promise<boolean> {
  const result = await tx
    .update(kiosks)
    .set({ status: 'revoked', revokedAt: at, pairingCodeHash: null, pairingExpiresAt: null })
    .where(and(eq(kiosks.tenantId, tenantId), eq(kiosks.id, kioskId), inArray(kiosks.status, ['pending', 'active'])));
  return affectedRows(result) === 1;
}

// Nonces

export async function insertNonce(db: Db, tenantId: string, nonce: { nonce: string; kioskId: string; challenge: LivenessChallenge; expiresAt: Date }) {
  await db.insert(kioskNonces).values({ tenantId, ...nonce });
}

/** The nonce row, locked until the transaction ends: two requests with one nonce queue here. */
export async function lockNonce(tx: Db, tenantId: string, kioskId: string, nonce: string) {
  const [row] = await tx
    .select()
    .from(kioskNonces)
    .where(and(eq(kioskNonces.tenantId, tenantId), eq(kioskNonces.kioskId, kioskId), eq(kioskNonces.nonce, nonce)))
    .for('update');
  return row;
}

/**
 * Uses the kiosk's nonce if it is live at `at` (unused, unexpired): true for the one request that did. The
 * row stays locked until the transaction ends, so a second request with the same nonce waits, then finds it used.
 */
export async function spendNonce(tx: Db, tenantId: string, kioskId: string, nonce: string, at: Date): Promise<boolean> {
  const result = await tx
    .update(kioskNonces)
    .set({ usedAt: at })
    .where(
      and(
        eq(kioskNonces.tenantId, tenantId),
        eq(kioskNonces.kioskId, kioskId),
        eq(kioskNonces.nonce, nonce),
        isNull(kioskNonces.usedAt),
        gt(kioskNonces.expiresAt, at),
      ),
    );
  return affectedRows(result) === 1;
}

/** The kiosk's nonce (undefined when unknown) and the company's settings, in one read (not locking the settings). */
export async function nonceWithSettings(tx: Db, tenantId: string, kioskId: string, nonce: string) {
  const [row] = await tx
    .select({ nonce: kioskNonces, settings: attendanceSettings })
    .from(kioskNonces)
    .leftJoin(attendanceSettings, eq(attendanceSettings.tenantId, kioskNonces.tenantId))
    .where(and(eq(kioskNonces.tenantId, tenantId), eq(kioskNonces.kioskId, kioskId), eq(kioskNonces.nonce, nonce)));
  if (!row) return { row: undefined, settings: await settingsOf(tx, tenantId) };
  return { row: row.nonce, settings: row.settings ? settingsOfRow(row.settings) : { ...DEFAULT_SETTINGS } };
}

// Refusals: refusal-store.ts (re-exported so callers keep one store to import).
export { countNearMiss, countRejection, nearMissesSince, rejectionsOf } from './refusal-store.js';

// Employees, samples, consent

export async function employeeByCode(db: Db, tenantId: string, code: string) {
  const [row] = await db
    .select({ id: employees.id, fullName: employees.fullName, code: employees.code })
    .from(employees)
    .where(and(eq(employees.tenantId, tenantId), eq(employees.code, code)));
  return row;
}

/**
 * The company's samples without their ciphertexts (id and employee, read from the index alone), in a fixed
 * order: what a matcher rebuild reads to see which samples are new or gone. Reading the ciphertexts too, even
 * to fingerprint them, took 4× as long at 30,000 samples.
 */
export async function sampleListOf(db: Db, tenantId: string) {
  return db
    .select({ id: faceSamples.id, employeeId: faceSamples.employeeId })
    .from(faceSamples)
    .where(eq(faceSamples.tenantId, tenantId))
    .orderBy(faceSamples.employeeId, faceSamples.id);
}

/** Every employee's full name, by id (one indexed read; joined per sample it cost 3× as much). */
export async function employeeNamesOf(db: Db, tenantId: string): Promise<Map<string, string>> {
  const rows = await db.select({ id: employees.id, fullName: employees.fullName }).from(employees).where(eq(employees.tenantId, tenantId));
  return new Map(rows.map((row) => [row.id, row.fullName]));
}

export async function sampleCiphersOf(db: Db, tenantId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: faceSamples.id, employeeId: faceSamples.employeeId, sampleCipher: faceSamples.sampleCipher })
    .from(faceSamples)
    .where(and(eq(faceSamples.tenantId, tenantId), inArray(faceSamples.id, ids)));
}

export async function insertSamples(tx: Db, tenantId: string, rows: { id: string; employeeId: string; sampleCipher: string }[]) {
  await tx.insert(faceSamples).values(rows.map((row) => ({ tenantId, ...row })));
}

/** Hard delete (kiosk.md: withdrawal deletes the samples). Returns how many went. */
export async function deleteSamples(tx: Db, tenantId: string, employeeId: string): Promise<number> {
  return affectedRows(await tx.delete(faceSamples).where(and(eq(faceSamples.tenantId, tenantId), eq(faceSamples.employeeId, employeeId))));
}

/** Employees whose last day is before `today` (IST) and who still have face samples, across companies (a platform job). */
export async function leaversWithSamples(db: Db, today: string): Promise<{ tenantId: string; employeeId: string }[]> {
  return db
    .selectDistinct({ tenantId: faceSamples.tenantId, employeeId: faceSamples.employeeId })
    .from(faceSamples)
    .innerJoin(employees, and(eq(employees.id, faceSamples.employeeId), eq(employees.tenantId, faceSamples.tenantId)))
    .where(lt(employees.dateOfLeaving, today));
}

export async function enrolledEmployeeIds(db: Db, tenantId: string): Promise<Set<string>> {
  const rows = await db.selectDistinct({ employeeId: faceSamples.employeeId }).from(faceSamples).where(eq(faceSamples.tenantId, tenantId));
  return new Set(rows.map((r) => r.employeeId));
}

export async function insertTicket(db: Db, tenantId: string, ticket: { id: string; employeeId: string; openedBy: string; expiresAt: Date }) {
  await db.insert(enrolmentTickets).values({ tenantId, ...ticket });
}

export async function lockOpenTicket(tx: Db, tenantId: string, employeeId: string, at: Date) {
  const [row] = await tx
    .select()
    .from(enrolmentTickets)
    .where(
      and(
        eq(enrolmentTickets.tenantId, tenantId),
        eq(enrolmentTickets.employeeId, employeeId),
        isNull(enrolmentTickets.usedAt),
        gt(enrolmentTickets.expiresAt, at),
      ),
    )
    .orderBy(desc(enrolmentTickets.expiresAt))
    .limit(1)
    .for('update');
  return row;
}

export async function useTicket(tx: Db, tenantId: string, ticketId: string, at: Date) {
  await tx
    .update(enrolmentTickets)
    .set({ usedAt: at })
    .where(and(eq(enrolmentTickets.tenantId, tenantId), eq(enrolmentTickets.id, ticketId)));
}

export async function insertConsent(
  tx: Db,
  tenantId: string,
  consent: { id: string; employeeId: string; textVersion: string; acceptedAt: Date; kioskId: string },
) {
  await tx.insert(faceConsents).values({ tenantId, ...consent });
}

export async function withdrawConsents(tx: Db, tenantId: string, employeeId: string, at: Date) {
  await tx
    .update(faceConsents)
    .set({ withdrawnAt: at })
    .where(and(eq(faceConsents.tenantId, tenantId), eq(faceConsents.employeeId, employeeId), isNull(faceConsents.withdrawnAt)));
}

// Punches

/**
 * Locks the employee's row and reads their latest punch since `since`, in one statement: two kiosks punching one
 * person at once queue on the employee row, and the second then reads the first's punch. Run it under READ
 * COMMITTED: a locking read of the punches under REPEATABLE READ takes gap locks, and two recognitions of
 * different people locking the same gap, then each inserting into it, deadlock (seen at 100 punches/s).
 * Undefined employee: not of this company.
 */
export async function lockEmployeeWithLastPunch(tx: Db, tenantId: string, employeeId: string, since: Date) {
  const [row] = await tx
    .select({ employeeId: employees.id, punch: punches })
    .from(employees)
    .leftJoin(punches, and(eq(punches.tenantId, employees.tenantId), eq(punches.employeeId, employees.id), gte(punches.at, since)))
    .where(and(eq(employees.tenantId, tenantId), eq(employees.id, employeeId)))
    .orderBy(desc(punches.at))
    .limit(1)
    .for('update');
  return row && { lastPunch: row.punch ?? undefined };
}

export async function insertPunch(tx: Db, tenantId: string, punch: Omit<typeof punches.$inferInsert, 'tenantId'>) {
  await tx.insert(punches).values({ ...punch, tenantId });
}

export async function punchesOf(db: Db, tenantId: string, employeeId: string): Promise<Punch[]> {
  return db
    .select()
    .from(punches)
    .where(and(eq(punches.tenantId, tenantId), eq(punches.employeeId, employeeId)))
    .orderBy(punches.at);
}

// PINs

export async function setPin(db: Db, tenantId: string, employeeId: string, pinHash: string, at: Date): Promise<void> {
  await db
    .insert(employeePins)
    .values({ tenantId, employeeId, pinHash, failedAttempts: 0, lockedUntil: null, updatedAt: at })
    .onDuplicateKeyUpdate({ set: { pinHash, failedAttempts: 0, lockedUntil: null, updatedAt: at } });
}

export async function pinOf(db: Db, tenantId: string, employeeId: string) {
  const [row] = await db
    .select()
    .from(employeePins)
    .where(and(eq(employeePins.tenantId, tenantId), eq(employeePins.employeeId, employeeId)));
  return row;
}

/**
 * One more failure, counted atomically; once the count reaches `limit` the PIN is locked until
 * `lockUntil` and counting starts again. (Two statements: MySQL applies SET assignments left to right,
 * so one statement could not both test and reset the count.)
 */
export async function failPin(db: Db, tenantId: string, employeeId: string, limit: number, lockUntil: Date): Promise<void> {
  const mine = and(eq(employeePins.tenantId, tenantId), eq(employeePins.employeeId, employeeId));
  await db
    .update(employeePins)
    .set({ failedAttempts: sql`${employeePins.failedAttempts} + 1` })
    .where(mine);
  await db
    .update(employeePins)
    .set({ failedAttempts: 0, lockedUntil: lockUntil })
    .where(and(mine, gte(employeePins.failedAttempts, limit)));
}

export async function clearPinFailures(tx: Db, tenantId: string, employeeId: string): Promise<void> {
  await tx
    .update(employeePins)
    .set({ failedAttempts: 0 })
    .where(and(eq(employeePins.tenantId, tenantId), eq(employeePins.employeeId, employeeId)));
}
