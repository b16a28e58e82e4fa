import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { affectedRows, type Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import type { Role } from '../access/index.js';
import { passwordTokens, recoveryCodes, sessions, users, type LinkPurpose, type Session, type User } from './schema.js';

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

// Every function takes the tenant first, except the look-ups that happen before the company is known,
// which say so: sign-in and links by email (an account's address is unique across companies), and the
// password link by its token hash. Times come from the caller's clock.

/** Across companies, the account at this address (never an invitation): sign-in and links happen before the company is known. */
export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const rows = await db
    .select()
    .from(users)
    .where(eq(users.accountEmail, normaliseEmail(email)))
    .limit(1);
  return rows[0];
}

/** The company's own user or invitation at this address. */
export async function findTenantUserByEmail(db: Db, tenantId: string, email: string): Promise<User | undefined> {
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.email, normaliseEmail(email))))
    .limit(1);
  return rows[0];
}

export async function findTenantUser(db: Db, tenantId: string, userId: string): Promise<User | undefined> {
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)))
    .limit(1);
  return rows[0];
}

export async function listTenantUsers(db: Db, tenantId: string): Promise<User[]> {
  return db.select().from(users).where(eq(users.tenantId, tenantId)).orderBy(asc(users.email));
}

export async function listOwners(db: Db, tenantId: string): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.role, 'owner'), eq(users.status, 'active')));
}

export interface NewUser {
  email: string;
  displayName: string;
  role: Role;
  passwordHash: string | null;
  status: 'invited' | 'active';
  employeeId?: string | null;
}

export async function insertUser(db: Db, tenantId: string, input: NewUser, at: Date): Promise<string> {
  const id = newId();
  await db.insert(users).values({ id, tenantId, ...input, email: normaliseEmail(input.email), passwordChangedAt: input.passwordHash ? at : null });
  return id;
}

export async function updateUser(
  db: Db,
  tenantId: string,
  userId: string,
  changes: Partial<Omit<User, 'id' | 'tenantId' | 'createdAt' | 'accountEmail'>>,
  at: Date,
): Promise<void> {
  await db
    .update(users)
    .set({ ...changes, updatedAt: at })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
}

/**
 * Claims the second step of a sign-in, atomically: only while the user's last sign-in is still the one
 * the pending token saw (so a finished sign-in's token cannot mint another session), and, for a TOTP
 * code, only for a time step after the last one used (so one code raced from several pending sign-ins
 * wins once).
 */
export async function claimSecondStep(
  db: Db,
  tenantId: string,
  userId: string,
  claim: { lastLoginAt: Date | null; step?: number; at: Date },
): Promise<boolean> {
  const conditions = [eq(users.tenantId, tenantId), eq(users.id, userId), sql`${users.lastLoginAt} <=> ${claim.lastLoginAt}`];
  if (claim.step !== undefined) conditions.push(sql`(${users.totpLastStep} IS NULL OR ${users.totpLastStep} < ${claim.step})`);
  const [result] = await db
    .update(users)
    .set({ lastLoginAt: claim.at, updatedAt: claim.at, ...(claim.step !== undefined ? { totpLastStep: claim.step } : {}) })
    .where(and(...conditions));
  return (result as { affectedRows: number }).affectedRows === 1;
}

// The TOTP second factor. Each change is conditional on the state the caller read, so of two racing
// requests one wins and the other changes nothing.

/** Spends a TOTP time step outside sign-in (proving the factor to change it): only a step after the last one used. */
export async function claimTotpStep(db: Db, tenantId: string, userId: string, step: number, at: Date): Promise<boolean> {
  const result = await db
    .update(users)
    .set({ totpLastStep: step, updatedAt: at })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId), sql`(${users.totpLastStep} IS NULL OR ${users.totpLastStep} < ${step})`));
  return affectedRows(result) === 1;
}

/** Keeps a new secret aside while it is set up, only while the enrolled factor is still the one the caller saw. */
export async function setPendingTotp(
  db: Db,
  user: Pick<User, 'id' | 'tenantId' | 'totpSecretSealed' | 'totpEnabledAt'>,
  pendingSealed: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .update(users)
    .set({ totpPendingSealed: pendingSealed, totpPendingAt: at, updatedAt: at })
    .where(
      and(
        eq(users.tenantId, user.tenantId),
        eq(users.id, user.id),
        sql`${users.totpSecretSealed} <=> ${user.totpSecretSealed}`,
        sql`${users.totpEnabledAt} <=> ${user.totpEnabledAt}`,
      ),
    );
  return affectedRows(result) === 1;
}

/** The pending secret becomes the enrolled one (its first code's step spent), once: only while it is still the one confirmed. */
export async function promotePendingTotp(db: Db, tenantId: string, userId: string, pendingSealed: string, step: number, at: Date): Promise<boolean> {
  const result = await db
    .update(users)
    .set({ totpSecretSealed: pendingSealed, totpEnabledAt: at, totpLastStep: step, totpPendingSealed: null, totpPendingAt: null, updatedAt: at })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId), eq(users.totpPendingSealed, pendingSealed)));
  return affectedRows(result) === 1;
}

export async function clearTotp(db: Db, tenantId: string, userId: string, at: Date): Promise<void> {
  await db
    .update(users)
    .set({ totpSecretSealed: null, totpEnabledAt: null, totpLastStep: null, totpPendingSealed: null, totpPendingAt: null, updatedAt: at })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
}

// Sessions.

export async function insertSession(
  db: Db,
  tenantId: string,
  input: { userId: string; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<string> {
  const id = newId();
  await db.insert(sessions).values({ id, tenantId, ...input });
  return id;
}

export interface ActiveSession {
  session: Session;
  user: User;
}

export async function findActiveSession(db: Db, tenantId: string, sessionId: string, now: Date): Promise<ActiveSession | undefined> {
  const rows = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, and(eq(users.id, sessions.userId), eq(users.tenantId, tenantId)))
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .limit(1);
  return rows[0];
}

export async function revokeSession(db: Db, tenantId: string, sessionId: string, reason: string, at: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

export async function revokeUserSessions(db: Db, tenantId: string, userId: string, reason: string, at: Date, exceptSessionId?: string): Promise<number> {
  const conditions = [eq(sessions.tenantId, tenantId), eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (exceptSessionId) conditions.push(sql`${sessions.id} <> ${exceptSessionId}`);
  const [result] = await db
    .update(sessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(...conditions));
  return (result as { affectedRows: number }).affectedRows;
}

// Single-use password links. The link's owner is a user row the caller loaded within its company;
// a link is found by its token hash alone, before anyone knows whose it is.

export async function insertPasswordToken(
  db: Db,
  user: Pick<User, 'id' | 'tenantId'>,
  input: { purpose: LinkPurpose; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db.insert(passwordTokens).values({ id: newId(), userId: user.id, ...input });
}

/**
 * By token hash, across companies, for one of `purposes`. Claims the token atomically: of two
 * concurrent uses, exactly one succeeds.
 */
export async function consumePasswordToken(
  db: Db,
  tokenHash: string,
  purposes: readonly LinkPurpose[],
  now: Date,
): Promise<{ userId: string; purpose: LinkPurpose } | undefined> {
  const rows = await db.select().from(passwordTokens).where(eq(passwordTokens.tokenHash, tokenHash)).limit(1);
  const token = rows[0];
  if (!token || token.usedAt || token.expiresAt <= now || !purposes.includes(token.purpose)) return undefined;
  const [result] = await db
    .update(passwordTokens)
    .set({ usedAt: now })
    .where(and(eq(passwordTokens.id, token.id), isNull(passwordTokens.usedAt)));
  if ((result as { affectedRows: number }).affectedRows !== 1) return undefined;
  return { userId: token.userId, purpose: token.purpose };
}

/** By token hash, across companies: the link, if it is for one of `purposes`, and the user it is for. */
export async function findUsablePasswordToken(db: Db, tokenHash: string, purposes: readonly LinkPurpose[], now: Date) {
  const rows = await db
    .select({ token: passwordTokens, user: users })
    .from(passwordTokens)
    .innerJoin(users, eq(users.id, passwordTokens.userId))
    .where(
      and(
        eq(passwordTokens.tokenHash, tokenHash),
        inArray(passwordTokens.purpose, [...purposes]),
        isNull(passwordTokens.usedAt),
        gt(passwordTokens.expiresAt, now),
      ),
    )
    .limit(1);
  return rows[0];
}

/** Every link of the user still outstanding stops working (their password changed, or a sign-up was replaced). */
export async function endPasswordLinks(db: Db, user: Pick<User, 'id'>, at: Date): Promise<void> {
  await db
    .update(passwordTokens)
    .set({ usedAt: at })
    .where(and(eq(passwordTokens.userId, user.id), isNull(passwordTokens.usedAt)));
}

// Recovery codes belong to a user; the tenant is checked through the user row.

const userOfTenant = (tenantId: string, userId: string) =>
  and(eq(recoveryCodes.userId, userId), sql`${recoveryCodes.userId} IN (SELECT ${users.id} FROM ${users} WHERE ${users.tenantId} = ${tenantId})`);

export async function replaceRecoveryCodes(db: Db, tenantId: string, userId: string, codeHashes: string[]): Promise<void> {
  await db.delete(recoveryCodes).where(userOfTenant(tenantId, userId));
  if (codeHashes.length > 0) await db.insert(recoveryCodes).values(codeHashes.map((codeHash) => ({ id: newId(), userId, codeHash })));
}

export async function useRecoveryCode(db: Db, tenantId: string, userId: string, codeHash: string, at: Date): Promise<boolean> {
  const [result] = await db
    .update(recoveryCodes)
    .set({ usedAt: at })
    .where(and(userOfTenant(tenantId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)));
  return (result as { affectedRows: number }).affectedRows === 1;
}

export async function countUnusedRecoveryCodes(db: Db, tenantId: string, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`COUNT(*)` })
    .from(recoveryCodes)
    .where(and(userOfTenant(tenantId, userId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}
