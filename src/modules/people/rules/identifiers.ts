/**
 * Indian identifier formats (../shared/specs/payroll-india.md §8). Pure functions: each returns the
 * normalised value, or a message naming what is wrong.
 */
export type Checked = { ok: true; value: string } | { ok: false; message: string };

const ok = (value: string): Checked => ({ ok: true, value });
const bad = (message: string): Checked => ({ ok: false, message });
const compact = (raw: string) => raw.replace(/[\s-]+/g, '');

// Verhoeff dihedral-group tables, as given by the spec (UIDAI's check digit).
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/** The Verhoeff walk over `digits` from the right; `shift` 1 leaves position 0 for a check digit still to come. */
function verhoeffWalk(digits: string, shift: 0 | 1): number {
  let c = 0;
  [...digits].reverse().forEach((digit, i) => {
    c = D[c]![P[(i + shift) % 8]![Number(digit)]!]!;
  });
  return c;
}

export const verhoeffValid = (digits: string): boolean => verhoeffWalk(digits, 0) === 0;

/** The check digit that makes `digits + check` valid (used to make demo data). */
export const verhoeffCheckDigit = (digits: string): string => String(INV[verhoeffWalk(digits, 1)]);

/** PAN: five letters, four digits, a letter; the 4th letter is the holder type (P for a person). */
export function checkPan(raw: string): Checked {
  const pan = compact(raw).toUpperCase();
  if (!/^[A-Z]{5}[0-9]{4}[A-Z]$/.test(pan)) return bad('must be 10 characters: 5 letters, 4 digits, 1 letter (like ABCPE1234F)');
  if (!'PCHFATBLJG'.includes(pan[3]!)) return bad('has an unknown holder type (4th letter)');
  return ok(pan);
}

/**
 * Aadhaar: a full 12-digit number is accepted only to check its Verhoeff digit; only the last four
 * are kept (the rest is never stored or logged). Four digits alone are accepted as last-4.
 */
export function checkAadhaarLast4(raw: string): Checked {
  const digits = compact(raw);
  if (/^\d{4}$/.test(digits)) return ok(digits);
  if (!/^\d{12}$/.test(digits)) return bad('must be the 12-digit Aadhaar number or its last 4 digits');
  if (!/^[2-9]/.test(digits)) return bad('cannot start with 0 or 1');
  if (!verhoeffValid(digits)) return bad('is not a valid Aadhaar number (check digit mismatch)');
  return ok(digits.slice(-4));
}

export function checkIfsc(raw: string): Checked {
  const ifsc = compact(raw).toUpperCase();
  return /^[A-Z]{4}0[A-Z0-9]{6}$/.test(ifsc) ? ok(ifsc) : bad('must be 11 characters: 4 letters, a zero, 6 letters or digits (like HDFC0001234)');
}

export function checkBankAccount(raw: string): Checked {
  const account = compact(raw);
  return /^\d{9,18}$/.test(account) ? ok(account) : bad('must be 9 to 18 digits');
}

export function checkUan(raw: string): Checked {
  const uan = compact(raw);
  return /^\d{12}$/.test(uan) ? ok(uan) : bad('must be 12 digits');
}

export function checkEsic(raw: string): Checked {
  const esic = compact(raw);
  return /^\d{10}$/.test(esic) ? ok(esic) : bad('must be 10 digits');
}

/** ISO 3166-2:IN codes of states and union territories (professional tax depends on the state). */
export const INDIAN_STATES: Record<string, string> = {
  AN: 'Andaman and Nicobar Islands',
  AP: 'Andhra Pradesh',
  AR: 'Arunachal Pradesh',
  AS: 'Assam',
  BR: 'Bihar',
  CH: 'Chandigarh',
  CT: 'Chhattisgarh',
  DH: 'Dadra and Nagar Haveli and Daman and Diu',
  DL: 'Delhi',
  GA: 'Goa',
  GJ: 'Gujarat',
  HP: 'Himachal Pradesh',
  HR: 'Haryana',
  JH: 'Jharkhand',
  JK: 'Jammu and Kashmir',
  KA: 'Karnataka',
  KL: 'Kerala',
  LA: 'Ladakh',
  LD: 'Lakshadweep',
  MH: 'Maharashtra',
  ML: 'Meghalaya',
  MN: 'Manipur',
  MP: 'Madhya Pradesh',
  MZ: 'Mizoram',
  NL: 'Nagaland',
  OR: 'Odisha',
  PB: 'Punjab',
  PY: 'Puducherry',
  RJ: 'Rajasthan',
  SK: 'Sikkim',
  TG: 'Telangana',
  TN: 'Tamil Nadu',
  TR: 'Tripura',
  UP: 'Uttar Pradesh',
  UT: 'Uttarakhand',
  WB: 'West Bengal',
};
