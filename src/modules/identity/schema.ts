import { sql } from 'drizzle-orm';
import { bigint, datetime, index, int, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { createdAt, idColumn, updatedAt } from '../../platform/db/columns.js';
import { companies } from '../tenancy/index.js';

import { ROLES } from '../access/index.js';

export const USER_STATUSES = ['invited', 'active', 'disabled'] as const;

/**
 * A tenant user. Email is stored lower-case (compared case-insensitively). An account (any status but
 * `invited`) is unique across the product: an address belongs to one company. An invitation reserves
 * nothing: several companies may invite one address, and the first acceptance makes the account.
 */
export const users = mysqlTable(
  'users',
  {
    id: idColumn().primaryKey(),
    tenantId: idColumn('tenant_id')
      .notNull()
      .references(() => companies.id),
    email: varchar('email', { length: 254 }).notNull(),
    displayName: varchar('display_name', { length: 200 }).notNull(),
    /** bcrypt (cost 12) of HMAC-SHA256(pepper, password); null until an invited user sets one. */
    passwordHash: varchar('password_hash', { length: 100 }),
    role: varchar('role', { length: 20, enum: ROLES }).notNull(),
    status: varchar('status', { length: 20, enum: USER_STATUSES }).notNull().default('active'),
    employeeId: idColumn('employee_id'),
    /** TOTP secret sealed with the server's secret box (never stored in clear). */
    totpSecretSealed: varchar('totp_secret_sealed', { length: 255 }),
    totpEnabledAt: datetime('totp_enabled_at', { mode: 'date', fsp: 3 }),
    /** Last accepted TOTP time step: a code is never accepted twice. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    /**
     * A new TOTP secret being set up, sealed like the enrolled one, and when set-up began. Kept apart from
     * the enrolled secret so a set-up begun and not finished leaves the factor in use working.
     */
    totpPendingSealed: varchar('totp_pending_sealed', { length: 255 }),
    totpPendingAt: datetime('totp_pending_at', { mode: 'date', fsp: 3 }),
    passwordChangedAt: datetime('password_changed_at', { mode: 'date', fsp: 3 }),
    lastLoginAt: datetime('last_login_at', { mode: 'date', fsp: 3 }),
    /** The email while this row is an account, null while it is an invitation: what the product-wide unique index sees. */
    accountEmail: varchar('account_email', { length: 254 }).generatedAlwaysAs(sql`(case when \`status\` = 'invited' then null else \`email\` end)`, {
      mode: 'stored',
    }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_account_email_uq').on(t.accountEmail),
    uniqueIndex('users_tenant_email_uq').on(t.tenantId, t.email),
    index('users_tenant_ix').on(t.tenantId),
  ],
);

/** One row per sign-in; revocation is real because every request checks its row. */
export const sessions = mysqlTable(
  'sessions',
  {
    id: idColumn().primaryKey(),
    userId: idColumn('user_id')
      .notNull()
      .references(() => users.id),
    tenantId: idColumn('tenant_id').notNull(),
    createdAt: createdAt(),
    expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull(),
    revokedAt: datetime('revoked_at', { mode: 'date', fsp: 3 }),
    revokedReason: varchar('revoked_reason', { length: 40 }),
    ip: varchar('ip', { length: 45 }),
    userAgent: varchar('user_agent', { length: 255 }),
    /** Platform staff member acting as this user (impersonation with consent, later issue). */
    impersonatorId: idColumn('impersonator_id'),
    /** The support ticket the impersonation was granted under. */
    impersonationTicket: varchar('impersonation_ticket', { length: 64 }),
  },
  (t) => [index('sessions_user_ix').on(t.userId)],
);

/** Failed sign-ins, shared by every app instance. `account_key` is a hash of the submitted email. */
export const loginFailures = mysqlTable(
  'login_failures',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    ip: varchar('ip', { length: 45 }).notNull(),
    accountKey: varchar('account_key', { length: 64 }).notNull(),
    /** A hash of the account's device cookie the browser showed, when it showed a valid one (throttle.ts). */
    deviceKey: varchar('device_key', { length: 64 }),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [index('login_failures_ip_ix').on(t.ip, t.at), index('login_failures_account_ix').on(t.accountKey, t.at)],
);

/**
 * Requests that cost us mail or a company (sign-up, password reset, confirmation re-sends), counted per
 * action and subject (an IP, or a hash of an address) in the database, like login failures, so every
 * instance shares the limit.
 */
export const requestCounts = mysqlTable(
  'request_counts',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    action: varchar('action', { length: 30 }).notNull(),
    subject: varchar('subject', { length: 80 }).notNull(),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [index('request_counts_subject_ix').on(t.action, t.subject, t.at), index('request_counts_at_ix').on(t.at)],
);

export const ipBlocks = mysqlTable('ip_blocks', {
  ip: varchar('ip', { length: 45 }).primaryKey(),
  blockedUntil: datetime('blocked_until', { mode: 'date', fsp: 3 }).notNull(),
  failures: int('failures').notNull(),
  createdAt: createdAt(),
  liftedAt: datetime('lifted_at', { mode: 'date', fsp: 3 }),
  liftedBy: varchar('lifted_by', { length: 100 }),
});

/** "Once per window": the unique key makes the first instance to insert the one that alerts. */
export const alertWindows = mysqlTable(
  'alert_windows',
  {
    kind: varchar('kind', { length: 40 }).notNull(),
    subject: varchar('subject', { length: 100 }).notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.subject, t.windowStart] })],
);

export const LINK_PURPOSES = ['reset', 'invite', 'confirm'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/** Single-use links: password reset, invitations, and the confirmation of a sign-up; only a hash of the token is kept. */
export const passwordTokens = mysqlTable(
  'password_tokens',
  {
    id: idColumn().primaryKey(),
    userId: idColumn('user_id')
      .notNull()
      .references(() => users.id),
    purpose: varchar('purpose', { length: 10, enum: LINK_PURPOSES }).notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull(),
    usedAt: datetime('used_at', { mode: 'date', fsp: 3 }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('password_tokens_hash_uq').on(t.tokenHash)],
);

export const recoveryCodes = mysqlTable(
  'recovery_codes',
  {
    id: idColumn().primaryKey(),
    userId: idColumn('user_id')
      .notNull()
      .references(() => users.id),
    codeHash: varchar('code_hash', { length: 64 }).notNull(),
    usedAt: datetime('used_at', { mode: 'date', fsp: 3 }),
    createdAt: createdAt(),
  },
  (t) => [index('recovery_codes_user_ix').on(t.userId)],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
