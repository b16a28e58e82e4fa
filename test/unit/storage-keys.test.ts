import { describe, expect, it } from 'vitest';
import { InvalidObjectKey, namespaceOf, validateObjectKey, validatePrefix } from '../../src/platform/storage/keys.js';
import { PLATFORM } from '../../src/platform/storage/object-store.js';

describe('storage key validation', () => {
  it.each([
    ['payslips/2026-11/0192f3a0-0000-7000-8000-0000000000aa.pdf'],
    ['exports/employees.csv'],
    ['a'],
    ['photos/kiosk 1/punch (1).jpg'],
    ['x'.repeat(512)],
  ])('accepts %s', (key) => {
    expect(validateObjectKey(key)).toBe(key);
  });

  it.each([
    ['../x', /"\.\." part/],
    ['a/../../etc/passwd', /"\.\." part/],
    ['a/./b', /"\." part/],
    ['/etc/passwd', /absolute path/],
    ['a//b', /empty part/],
    ['a/', /empty part/],
    ['a\\b', /backslash/],
    ['..\\..\\windows', /backslash/],
    ['C:/Windows/x', /drive letter/],
    ['a\u0000b', /control character/],
    ['report\n.csv', /control character/],
    ['', /empty/],
    ['x'.repeat(513), /longer than 512/],
  ])('refuses %j', (key, reason) => {
    expect(() => validateObjectKey(key)).toThrow(InvalidObjectKey);
    expect(() => validateObjectKey(key)).toThrow(reason);
  });

  it('accepts list prefixes that are empty, a folder or the start of a key, and refuses tricks', () => {
    expect(validatePrefix('')).toBe('');
    expect(validatePrefix('payslips/')).toBe('payslips/');
    expect(validatePrefix('payslips/2026-')).toBe('payslips/2026-');
    expect(() => validatePrefix('../')).toThrow(InvalidObjectKey);
    expect(() => validatePrefix('/')).toThrow(InvalidObjectKey);
  });

  it('puts tenants and the platform in separate namespaces, and refuses odd tenant ids', () => {
    expect(namespaceOf('0192f3a0-0000-7000-8000-000000000001', 's3')).toBe('tenants/0192f3a0-0000-7000-8000-000000000001/');
    expect(namespaceOf('0192f3a0-0000-7000-8000-000000000001', 'local')).toBe('0192f3a0-0000-7000-8000-000000000001/');
    expect(namespaceOf(PLATFORM, 's3')).toBe('platform/');
    expect(namespaceOf(PLATFORM, 'local')).toBe('_platform/');
    for (const tenant of ['', '..', '../x', 'a/b', '_platform', '.incoming', 'platform\u0000']) {
      expect(() => namespaceOf(tenant, 'local')).toThrow(InvalidObjectKey);
    }
  });
});
