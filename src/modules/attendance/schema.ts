import { bigint, boolean, char, date, datetime, double, index, int, mysqlTable, primaryKey, text, tinyint, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { registerEncryptedColumn } from '../../platform/crypto/index.js';
import { createdAt, idColumn } from '../../platform/db/columns.js';
import { companies } from '../tenancy/index.js';
import { employees } from '../people/index.js';

/**
 * Per-company attendance settings. `enrolmentVersion` is bumped in the same transaction as every change
 * to the company's face samples: each app instance reads it per recognition and rebuilds its in-memory
 * matcher when it differs (specs/kiosk.md, "Matching speed").
 */
export const attendanceSettings = mysqlTable('attendance_settings', {
  tenantId: idColumn('tenant_id')
    .primaryKey()
    .references(() => companies.id),
  /** Lowest liveness score accepted from a kiosk (0–1). */
  livenessThreshold: double('liveness_threshold').notNull().default(0.7),
  /** Largest accepted embedding distance (kiosk.md: default 0.42, tunable 0.35–0.55). */
  matchThreshold: double('match_threshold').notNull().default(0.42),
  /** How much closer the best employee must be than the runner-up. */
  matchMargin: double('match_margin').notNull().default(0.06),
  enrolmentVersion: bigint('enrolment_version', { mode: 'number' }).notNull().default(0),
});

export const KIOSK_STATUSES = ['pending', 'active', 'revoked'] as const;

/** A paired tablet. Until paired it holds only the hash of its one-time pairing code. */
export const kiosks = mysqlTable(
  'kiosks',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    name: varchar('name', { length: 120 }).notNull(),
    location: varchar('location', { length: 200 }),
    status: varchar('status', { length: 10, enum: KIOSK_STATUSES }).notNull().default('pending'),
    /** SHA-256 of the pairing code; null once used. */
    pairingCodeHash: char('pairing_code_hash', { length: 64 }),
    pairingExpiresAt: datetime('pairing_expires_at', { mode: 'date', fsp: 3 }),
    /** The kiosk's ECDSA P-256 public key as a JWK (kty, crv, x, y only). */
    publicKeyJwk: varchar('public_key_jwk', { length: 400 }),
    deviceName: varchar('device_name', { length: 120 }),
    pairedAt: datetime('paired_at', { mode: 'date', fsp: 3 }),
    revokedAt: datetime('revoked_at', { mode: 'date', fsp: 3 }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('kiosks_pairing_code_uq').on(t.pairingCodeHash), index('kiosks_tenant_ix').on(t.tenantId)],
);

export const LIVENESS_CHALLENGES = ['blink', 'turn_left', 'turn_right'] as const;
export type LivenessChallenge = (typeof LIVENESS_CHALLENGES)[number];

/** Single-use challenges (128-bit, 60 s) a kiosk must answer in its next recognize/enrol request. */
export const kioskNonces = mysqlTable(
  'kiosk_nonces',
  {
    nonce: char('nonce', { length: 32 }).primaryKey(),
    tenantId: idColumn('tenant_id').notNull(),
    kioskId: idColumn('kiosk_id')
      .notNull()
      .references(() => kiosks.id),
    challenge: varchar('challenge', { length: 12, enum: LIVENESS_CHALLENGES }).notNull(),
    expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull(),
    usedAt: datetime('used_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [index('kiosk_nonces_expires_ix').on(t.expiresAt)],
);

/** Refusals counted per kiosk, per code, per fixed 5-minute window: the only trace a refusal leaves. */
export const kioskRejections = mysqlTable(
  'kiosk_rejections',
  {
    tenantId: idColumn('tenant_id').notNull(),
    kioskId: idColumn('kiosk_id').notNull(),
    code: varchar('code', { length: 30 }).notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    count: int('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.kioskId, t.windowStart, t.code] }), index('kiosk_rejections_tenant_ix').on(t.tenantId, t.windowStart)],
);

/** One encrypted face embedding; an employee has 3–5. The plaintext names its employee as well. */
export const faceSamples = mysqlTable(
  'face_samples',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    sampleCipher: text('sample_cipher').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('face_samples_tenant_employee_ix').on(t.tenantId, t.employeeId)],
);
export const FACE_SAMPLE_LOCATION = { table: 'face_samples', column: 'sample_cipher' } as const;
registerEncryptedColumn({ ...FACE_SAMPLE_LOCATION, idColumn: 'id', tenantColumn: 'tenant_id' });

/** HR opened face enrolment for an employee: a short-lived, single-use permission for a kiosk to enrol them. */
export const enrolmentTickets = mysqlTable(
  'enrolment_tickets',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id').notNull(),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    openedBy: idColumn('opened_by').notNull(),
    expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull(),
    usedAt: datetime('used_at', { mode: 'date', fsp: 3 }),
    createdAt: createdAt(),
  },
  (t) => [index('enrolment_tickets_employee_ix').on(t.tenantId, t.employeeId)],
);

/** The employee's consent to face enrolment: which notice text, when, on which kiosk; withdrawn when the samples go. */
export const faceConsents = mysqlTable(
  'face_consents',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id').notNull(),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    textVersion: varchar('text_version', { length: 40 }).notNull(),
    acceptedAt: datetime('accepted_at', { mode: 'date', fsp: 3 }).notNull(),
    kioskId: idColumn('kiosk_id').notNull(),
    withdrawnAt: datetime('withdrawn_at', { mode: 'date', fsp: 3 }),
    createdAt: createdAt(),
  },
  (t) => [index('face_consents_employee_ix').on(t.tenantId, t.employeeId)],
);

/**
 * An employee's personal kiosk PIN (kiosk.md: refusing face enrolment must cost nothing): bcrypt of a
 * peppered HMAC bound to the employee. A few digits are weak by nature; the failure counter and lock
 * are what protect them.
 */
export const employeePins = mysqlTable('employee_pins', {
  employeeId: idColumn('employee_id')
    .primaryKey()
    .references(() => employees.id),
  tenantId: idColumn('tenant_id').notNull(),
  pinHash: varchar('pin_hash', { length: 100 }).notNull(),
  failedAttempts: int('failed_attempts').notNull().default(0),
  lockedUntil: datetime('locked_until', { mode: 'date', fsp: 3 }),
  updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
});

export const PUNCH_METHODS = ['face', 'pin', 'hr'] as const;
export const DIRECTIONS = ['in', 'out'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const punches = mysqlTable(
  'punches',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    kioskId: idColumn('kiosk_id'),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
    /** The IST calendar day of `at`: direction and daily records go by it. */
    istDay: date('ist_day', { mode: 'string' }).notNull(),
    direction: varchar('direction', { length: 3, enum: DIRECTIONS }).notNull(),
    method: varchar('method', { length: 5, enum: PUNCH_METHODS }).notNull(),
    distance: double('distance'),
    livenessScore: double('liveness_score'),
    createdAt: createdAt(),
  },
  (t) => [index('punches_employee_at_ix').on(t.tenantId, t.employeeId, t.at), index('punches_tenant_day_ix').on(t.tenantId, t.istDay)],
);

export type Kiosk = typeof kiosks.$inferSelect;
export type Punch = typeof punches.$inferSelect;

// ─── Punches to days (issue 17 item 6): shift rules per company, regularisation requests ───────────────

/**
 * A company's shift rules as one JSON document (`rules/shift.ts` `shiftRulesSchema` validates it on the way
 * in and out). One document rather than columns: the holiday list and the monthly offs are lists, and the rules
 * are only ever read and written whole. No row: the defaults (`shift-store.ts`).
 */
export const shiftSettings = mysqlTable('shift_settings', {
  tenantId: idColumn('tenant_id')
    .primaryKey()
    .references(() => companies.id),
  rules: text('rules').notNull(),
  updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
});

export const REGULARISATION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type RegularisationStatus = (typeof REGULARISATION_STATUSES)[number];

/**
 * An employee's request to correct one attendance day's first in and last out (a missed punch), and its
 * decision. `pendingKey` is 1 while pending and NULL once decided: the unique index then allows one pending
 * request per employee-day (NULLs never collide) and any number of decided ones.
 */
export const regularisations = mysqlTable(
  'regularisations',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    /** The attendance day (IST) the request corrects. */
    date: date('date', { mode: 'string' }).notNull(),
    firstIn: datetime('first_in', { mode: 'date', fsp: 3 }).notNull(),
    lastOut: datetime('last_out', { mode: 'date', fsp: 3 }).notNull(),
    reason: varchar('reason', { length: 500 }).notNull(),
    status: varchar('status', { length: 10, enum: REGULARISATION_STATUSES }).notNull().default('pending'),
    pendingKey: tinyint('pending_key'),
    requestedBy: idColumn('requested_by').notNull(),
    decidedBy: idColumn('decided_by'),
    decidedAt: datetime('decided_at', { mode: 'date', fsp: 3 }),
    decisionNote: varchar('decision_note', { length: 500 }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('regularisations_pending_uq').on(t.tenantId, t.employeeId, t.date, t.pendingKey),
    index('regularisations_tenant_status_ix').on(t.tenantId, t.status, t.date),
  ],
);

export type RegularisationRow = typeof regularisations.$inferSelect;

// ───────────────────────────── Leave (issue 17 item 7) ─────────────────────────────

/**
 * A company's leave policy, once HR has saved one (until then `DEFAULT_LEAVE_POLICY` in leave-policy.ts
 * applies). The types live in one JSON document checked by `leavePolicySchema` on every read and write:
 * the policy is edited and read as a whole, and one row gives HR's edits one lock.
 */
export const leavePolicies = mysqlTable('leave_policies', {
  tenantId: idColumn('tenant_id')
    .primaryKey()
    .references(() => companies.id),
  /** `leavePolicySchema`'s JSON: leave year, sandwich rule, leave types. */
  policy: text('policy').notNull(),
  updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
});

export const LEAVE_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export const LEAVE_HALVES = ['first_half', 'second_half'] as const;

/** An employee's leave application and, once decided, who decided it, when and why. */
export const leaveApplications = mysqlTable(
  'leave_applications',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    employeeId: idColumn('employee_id')
      .notNull()
      .references(() => employees.id),
    /** The leave type's code in the company's policy (renaming a code in use is refused). */
    leaveType: varchar('leave_type', { length: 20 }).notNull(),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    toDate: date('to_date', { mode: 'string' }).notNull(),
    fromHalf: varchar('from_half', { length: 11, enum: LEAVE_HALVES }),
    toHalf: varchar('to_half', { length: 11, enum: LEAVE_HALVES }),
    /** Days counted when applied (working days, halves 0.5): a double holds every half day exactly. */
    days: double('days').notNull(),
    /**
     * Whether the sandwich rule was on when the days were counted: the day marks follow it, so HR switching the
     * rule later changes neither the days charged to the balance nor the days payroll sees for this application.
     */
    sandwich: boolean('sandwich').notNull().default(false),
    status: varchar('status', { length: 10, enum: LEAVE_STATUSES }).notNull().default('pending'),
    reason: varchar('reason', { length: 500 }),
    appliedBy: idColumn('applied_by').notNull(),
    decidedBy: idColumn('decided_by'),
    decidedAt: datetime('decided_at', { mode: 'date', fsp: 3 }),
    decisionNote: varchar('decision_note', { length: 500 }),
    createdAt: createdAt(),
  },
  (t) => [
    index('leave_applications_employee_ix').on(t.tenantId, t.employeeId, t.fromDate),
    // The approval queue (pending), and month pages and payroll (approved, ending on or after the month's first day).
    index('leave_applications_status_ix').on(t.tenantId, t.status, t.toDate),
    index('leave_applications_type_ix').on(t.tenantId, t.leaveType),
  ],
);

export type LeaveApplicationRow = typeof leaveApplications.$inferSelect;

/**
 * Near misses (kiosk.md: "list near misses so HR can tune" the threshold): refusals whose nearest employee was
 * just beyond the company's threshold, counted per kiosk, IST day and how far beyond (NEAR_MISS buckets). Like
 * every refusal, they keep no employee, embedding or distance: only these counts.
 */
export const kioskNearMisses = mysqlTable(
  'kiosk_near_misses',
  {
    tenantId: idColumn('tenant_id').notNull(),
    kioskId: idColumn('kiosk_id').notNull(),
    istDay: date('ist_day', { mode: 'string' }).notNull(),
    /** How far beyond the threshold, in steps of NEAR_MISS.step from 0 (see near-misses.ts). */
    bucket: int('bucket').notNull(),
    count: int('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.kioskId, t.istDay, t.bucket] }), index('kiosk_near_misses_tenant_ix').on(t.tenantId, t.istDay)],
);
