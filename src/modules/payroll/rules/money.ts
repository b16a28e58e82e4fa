/**
 * Whole-rupee arithmetic for the statutory rules (specs/payroll-india.md: "compute in integer paise or exact
 * decimals, never in binary floating point").
 *
 * Every amount the calculator takes and gives is a whole number of rupees (§9). A statutory rate is kept as
 * an exact fraction (`{ per: 10_000, parts: 833 }` is 8.33%), so `amount × rate` is an integer numerator over an
 * integer denominator, and each rule then rounds that fraction the way its own statute says: half-up to the
 * rupee (EPF, LOP pro-ration, the final tax), up to the next rupee (ESI), half-up to the ten (taxable income).
 * No rounding happens anywhere else.
 */

/** An exact rate: `parts` out of `per` (12% is 12/100, 8.33% is 833/10,000, 0.75% is 75/10,000). */
export interface Rate {
  parts: number;
  per: number;
}

export const percent = (parts: number, per = 100): Rate => ({ parts, per });

/** `numerator / denominator` rounded to the nearest integer, exactly half going up (both ≥ 0, denominator > 0). */
export function roundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** `numerator / denominator` rounded up to the next integer (both ≥ 0, denominator > 0). */
export function roundUp(numerator: number, denominator: number): number {
  return Math.floor((numerator + denominator - 1) / denominator);
}

/** `amount × rate`, rounded half-up to the rupee: 50 paise and above rounds up. */
export function applyRateHalfUp(amount: number, rate: Rate): number {
  return roundHalfUp(amount * rate.parts, rate.per);
}

/** `amount × rate`, rounded up to the next rupee. */
export function applyRateUp(amount: number, rate: Rate): number {
  return roundUp(amount * rate.parts, rate.per);
}

/** A rate as people write it: 8.33%, 0.75%, 12%. */
export function showRate(rate: Rate): string {
  return `${Number(((rate.parts * 100) / rate.per).toFixed(4))}%`;
}

/**
 * Rupees with Indian digit grouping, for the plain-words explanation: ₹11,78,400. By hand rather than
 * `Intl.NumberFormat('en-IN')`, which took most of the calculator's time; the page filter in
 * platform/views does the same for templates, but rules/ may not import views.
 */
export function showRupees(amount: number): string {
  const [whole = '0', fraction] = String(Math.abs(amount)).split('.');
  return `${amount < 0 ? '−' : ''}₹${groupIndian(whole)}${fraction ? `.${fraction}` : ''}`;
}

/** `1178400` → `11,78,400`: the last three digits, then pairs. */
function groupIndian(digits: string): string {
  if (digits.length <= 3) return digits;
  let head = digits.slice(0, -3);
  let pairs = '';
  while (head.length > 2) {
    pairs = `,${head.slice(-2)}${pairs}`;
    head = head.slice(0, -2);
  }
  return `${head}${pairs},${digits.slice(-3)}`;
}
