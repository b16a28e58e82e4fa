import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../../config.js';

/**
 * Signed tokens: sessions, the "password accepted, second factor pending" step and the device cookie.
 * HS256 only, `kid` looked up in the fixed server-side key map (current + previous), and `typ`/`aud`
 * distinguish the kinds so one is never accepted as another. No roles inside: the role is read with
 * the session row, so a change applies at once.
 */
export const SESSION_SECONDS = 24 * 60 * 60;
const ISSUER = 'bizlumo-hr';

export type TokenKind = 'session' | 'mfa-pending' | 'device';
const TYP: Record<TokenKind, string> = { session: 'session+jwt', 'mfa-pending': 'mfa-pending+jwt', device: 'device+jwt' };

export interface TokenKeys {
  current: { kid: string; key: Uint8Array };
  byKid: Map<string, Uint8Array>;
}

export function tokenKeys(config: Pick<Config, 'sessionKeys'>): TokenKeys {
  const entries = config.sessionKeys.map(({ kid, secret }) => [kid, new TextEncoder().encode(secret)] as const);
  return { current: { kid: entries[0]![0], key: entries[0]![1] }, byKid: new Map(entries) };
}

export async function signToken(
  keys: TokenKeys,
  kind: TokenKind,
  subject: string,
  claims: Record<string, string>,
  lifetimeSeconds: number,
  now: Date,
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: keys.current.kid, typ: TYP[kind] })
    .setSubject(subject)
    .setIssuer(ISSUER)
    .setAudience(`bizlumo:${kind}`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeSeconds)
    .sign(keys.current.key);
}

/** Returns the claims, or undefined for anything expired, tampered, foreign or of another kind. */
export async function verifyToken(
  keys: TokenKeys,
  kind: TokenKind,
  token: string | undefined,
  requiredClaims: string[],
  now: Date,
): Promise<JWTPayload | undefined> {
  if (!token || token.length > 4096) return undefined;
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        // Keys come only from our map: headers that try to bring their own key are refused.
        if (header.jku || header.x5u || header.jwk || header.x5c || header.crit) throw new Error('key-bearing header refused');
        const key = header.kid ? keys.byKid.get(header.kid) : undefined;
        if (!key) throw new Error('unknown kid');
        return key;
      },
      {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: `bizlumo:${kind}`,
        typ: TYP[kind],
        // jose skips `exp` when it is absent unless it is required.
        requiredClaims: ['sub', 'iat', 'exp', ...requiredClaims],
        currentDate: now,
      },
    );
    return payload;
  } catch {
    return undefined;
  }
}
