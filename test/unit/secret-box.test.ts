import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/modules/identity/secret-box.js';

describe('the secret box (TOTP seeds)', () => {
  const box = createSecretBox('a pepper of some length for the tests');

  it('round-trips a secret bound to its context', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user:1');
    expect(box.open(sealed, 'user:1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'user:2')).toThrow();
  });

  it('refuses a truncated authentication tag (GCM would otherwise check only the bytes given)', () => {
    const [version, iv, tag, ct] = box.seal('JBSWY3DPEHPK3PXP', 'user:1').split('.');
    const full = Buffer.from(tag!, 'base64url');
    expect(full).toHaveLength(16);
    for (const length of [4, 8, 12, 15]) {
      const short = full.subarray(0, length).toString('base64url');
      expect(() => box.open([version, iv, short, ct].join('.'), 'user:1'), `${length}-byte tag`).toThrow();
    }
  });
});
