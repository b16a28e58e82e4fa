/**
 * Display filters. Money is integer paise end to end; it becomes rupees only here.
 * Dates are stored in UTC and shown in India Standard Time.
 */

const IST = 'Asia/Kolkata';
const indianGrouping = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });

/** 123456700 paise → "₹12,34,567.00" (lakh/crore grouping). Exact for any integer, including bigint. */
export function formatMoney(paise: number | bigint | string | null | undefined): string {
  if (paise === null || paise === undefined || paise === '') return '';
  let value: bigint;
  try {
    value = typeof paise === 'bigint' ? paise : BigInt(typeof paise === 'number' ? Math.trunc(paise) : paise.trim());
  } catch {
    return '';
  }
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const rupees = abs / 100n;
  const rest = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}₹${indianGrouping.format(rupees)}.${rest}`;
}

function toDate(value: Date | string | number | null | undefined): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const dateFormat = new Intl.DateTimeFormat('en-IN', { timeZone: IST, day: '2-digit', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-IN', {
  timeZone: IST,
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "02 Jan 2026" for an instant, read on the clock in India. */
export function formatDateIST(value: Date | string | number | null | undefined): string {
  const date = toDate(value);
  return date ? dateFormat.format(date) : '';
}

const timeFormat = new Intl.DateTimeFormat('en-IN', { timeZone: IST, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "09:42" on the clock in India: a time in a table whose day the page already names (today's board). */
export function formatTimeIST(value: Date | string | number | null | undefined): string {
  const date = toDate(value);
  return date ? timeFormat.format(date) : '';
}

/** "02 Jan 2026, 00:30 IST". */
export function formatDateTimeIST(value: Date | string | number | null | undefined): string {
  const date = toDate(value);
  return date ? `${dateTimeFormat.format(date)} IST` : '';
}

export { mask } from '../text/mask.js';
