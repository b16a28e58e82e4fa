import { describe, expect, it } from 'vitest';
import {
  checkAadhaarLast4,
  checkBankAccount,
  checkEsic,
  checkIfsc,
  checkPan,
  checkUan,
  verhoeffCheckDigit,
  verhoeffValid,
} from '../../src/modules/people/rules/identifiers.js';
import { employeeInput } from '../../src/modules/people/input.js';

describe('Verhoeff (payroll-india.md §8)', () => {
  it('matches the textbook example: 236 takes check digit 3', () => {
    expect(verhoeffCheckDigit('236')).toBe('3');
    expect(verhoeffValid('2363')).toBe(true);
    expect(verhoeffValid('2364')).toBe(false);
  });

  it('catches every single-digit error and adjacent swap of a valid number', () => {
    const base = '49837124571';
    const valid = base + verhoeffCheckDigit(base);
    expect(verhoeffValid(valid)).toBe(true);
    for (let i = 0; i < valid.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        expect(verhoeffValid(valid.slice(0, i) + d + valid.slice(i + 1))).toBe(false);
      }
      if (i < valid.length - 1 && valid[i] !== valid[i + 1]) {
        expect(verhoeffValid(valid.slice(0, i) + valid[i + 1] + valid[i] + valid.slice(i + 2))).toBe(false);
      }
    }
  });
});

describe('identifier checks', () => {
  it('PAN', () => {
    expect(checkPan('abcpe1234f')).toEqual({ ok: true, value: 'ABCPE1234F' });
    expect(checkPan('ABCPE1234')).toMatchObject({ ok: false, message: expect.stringMatching(/^must be 10 characters/) });
    expect(checkPan('ABCXE1234F')).toMatchObject({ ok: false, message: 'has an unknown holder type (4th letter)' });
  });

  it('Aadhaar: only the last four are kept, and only after the check digit passes', () => {
    const eleven = '49837124571';
    const full = eleven + verhoeffCheckDigit(eleven);
    expect(checkAadhaarLast4(`${full.slice(0, 4)} ${full.slice(4, 8)} ${full.slice(8)}`)).toEqual({ ok: true, value: full.slice(-4) });
    expect(checkAadhaarLast4('1234')).toEqual({ ok: true, value: '1234' });
    const wrong = full.slice(0, 11) + ((Number(full[11]) + 1) % 10);
    expect(checkAadhaarLast4(wrong)).toMatchObject({ ok: false, message: 'is not a valid Aadhaar number (check digit mismatch)' });
    expect(checkAadhaarLast4('123456789012')).toMatchObject({ ok: false, message: 'cannot start with 0 or 1' });
    expect(checkAadhaarLast4('12345')).toMatchObject({ ok: false });
  });

  it('IFSC, account, UAN, ESIC', () => {
    expect(checkIfsc('hdfc0001234')).toEqual({ ok: true, value: 'HDFC0001234' });
    expect(checkIfsc('HDFC1001234').ok).toBe(false);
    expect(checkBankAccount('1234 5678 9012').ok).toBe(true);
    expect(checkBankAccount('12345678').ok).toBe(false);
    expect(checkBankAccount('1234567890123456789').ok).toBe(false);
    expect(checkUan('100200300400').ok).toBe(true);
    expect(checkUan('10020030040').ok).toBe(false);
    expect(checkEsic('1234567890').ok).toBe(true);
    expect(checkEsic('12345678901').ok).toBe(false);
  });

  it('the employee form names each bad field', () => {
    const result = employeeInput.safeParse({ code: 'E 1', fullName: '', dateOfJoining: '2026-02-30', workState: 'ZZ', pan: 'bad', bankAccount: '123456789' });
    expect(result.success).toBe(false);
    const fields = result.error!.issues.map((i) => i.path[0]).sort();
    expect(fields).toEqual(['code', 'dateOfJoining', 'fullName', 'pan', 'workState']);
    const noIfsc = employeeInput.safeParse({ code: 'E1', fullName: 'A', dateOfJoining: '2026-02-01', workState: 'KA', bankAccount: '123456789' });
    expect(noIfsc.error!.issues.map((i) => [i.path[0], i.message])).toEqual([['ifsc', 'is required with a bank account']]);
  });
});
