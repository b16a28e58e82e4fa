import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals small server-side secrets (TOTP seeds) with AES-256-GCM under a key derived from the
 * password pepper, which lives in Secrets Manager, not the database. Format: `s1.<iv>.<tag>.<ct>`.
 */
const TAG_BYTES = 16;

export function createSecretBox(pepper: string) {
  const key = Buffer.from(hkdfSync('sha256', pepper, 'bizlumo-secret-box', 'totp-seed', 32));
  return {
    seal(plaintext: string, context: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['s1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed: string, context: string): string {
      const [version, iv, tag, ct] = sealed.split('.');
      if (version !== 's1' || !iv || !tag || !ct) throw new Error('sealed secret has an unknown format');
      // GCM checks only as many tag bytes as it is given: a 4-byte tag would be 1 chance in 2^32 to forge.
      const authTag = Buffer.from(tag, 'base64url');
      if (authTag.length !== TAG_BYTES) throw new Error('sealed secret has a truncated authentication tag');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(authTag);
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
export type SecretBox = ReturnType<typeof createSecretBox>;
