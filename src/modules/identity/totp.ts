import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** TOTP (RFC 6238, 30-second steps, 6 digits) as authenticator apps expect it. */
export const TOTP_PERIOD_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return generateSecret();
}

export async function totpQrSvg(secret: string, account: string): Promise<{ uri: string; svg: string }> {
  const uri = generateURI({ issuer: 'Bizlumo HR', label: account, secret });
  return { uri, svg: await QRCode.toString(uri, { type: 'svg', margin: 1, width: 200 }) };
}

/**
 * Accepts the current step and one either side (clock drift), never a step at or before the last
 * accepted one, so a code seen over someone's shoulder cannot be replayed. Returns the step used.
 */
export async function checkTotp(secret: string, code: string, lastStep: number | null, now: Date): Promise<number | undefined> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({ secret, token, epoch, epochTolerance: TOTP_PERIOD_SECONDS });
  if (!result.valid) return undefined;
  // The matched step: the current one shifted by the drift otplib reports.
  const step = Math.floor(epoch / TOTP_PERIOD_SECONDS) + (result.delta ?? 0);
  if (lastStep !== null && step <= lastStep) return undefined;
  return step;
}

/** Ten codes like `7KQ4-M2XD-9PRT`, shown once; only their hashes are stored. */
export function newRecoveryCodes(): string[] {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(12);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(`recovery:${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`)
    .digest('hex');
}
