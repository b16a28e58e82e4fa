import { describe, expect, it } from 'vitest';
import { formatDateIST, formatDateTimeIST, formatMoney, formatTimeIST, mask } from '../../src/platform/views/filters.js';
import { createViews } from '../../src/platform/views/index.js';
import { viewsDir } from '../../src/platform/paths.js';

describe('money in rupees with Indian digit grouping', () => {
  it.each([
    [10_000_000, '₹1,00,000.00'],
    [123_456_700, '₹12,34,567.00'],
    [99, '₹0.99'],
    [5, '₹0.05'],
    [0, '₹0.00'],
    [-150_050, '-₹1,500.50'],
    [1_00_00_00_00_000n, '₹1,00,00,00,000.00'],
    ['250000', '₹2,500.00'],
  ] as const)('%s paise → %s', (paise, shown) => {
    expect(formatMoney(paise)).toBe(shown);
  });

  it('shows nothing for missing or non-numeric values', () => {
    expect(formatMoney(null)).toBe('');
    expect(formatMoney('12abc')).toBe('');
  });

  it('is exact beyond floating point range', () => {
    expect(formatMoney(900719925474099312n)).toBe('₹9,00,71,99,25,47,40,993.12');
  });
});

describe('dates in IST', () => {
  it('moves an evening UTC instant to the next day in India', () => {
    // 19:00 UTC on 1 Jan is 00:30 IST on 2 Jan (UTC+05:30).
    expect(formatDateIST(new Date('2026-01-01T19:00:00Z'))).toBe('02 Jan 2026');
    expect(formatDateTimeIST('2026-01-01T19:00:00Z')).toBe('02 Jan 2026, 00:30 IST');
  });

  it('keeps the same day just before midnight IST', () => {
    expect(formatDateIST(new Date('2026-01-01T18:29:00Z'))).toBe('01 Jan 2026');
    expect(formatDateTimeIST(new Date('2026-01-01T18:29:00Z'))).toBe('01 Jan 2026, 23:59 IST');
  });

  it('gives the time alone on the clock in India', () => {
    expect(formatTimeIST(new Date('2026-01-01T19:00:00Z'))).toBe('00:30');
    expect(formatTimeIST(new Date('2026-01-02T04:12:00Z'))).toBe('09:42');
    expect(formatTimeIST(null)).toBe('');
  });

  it('shows nothing for invalid dates', () => {
    expect(formatDateIST('not a date')).toBe('');
    expect(formatDateIST(undefined)).toBe('');
  });
});

describe('masking', () => {
  it('shows only the last four characters behind a fixed run of X', () => {
    expect(mask('ABCDE1234F')).toBe('XXXXXX234F');
    expect(mask('123456789012')).toBe('XXXXXX9012');
    expect(mask('12')).toBe('XXXXXX12');
    expect(mask('')).toBe('');
  });
});

describe('templates', () => {
  it('escape HTML and apply the filters', () => {
    const env = createViews(viewsDir, { watch: false });
    const html = env.renderString('{{ name }} {{ pay | money }} {{ at | istDate }} {{ pan | mask }}', {
      name: '<script>alert(1)</script>',
      pay: 10_000_000,
      at: new Date('2026-01-01T19:00:00Z'),
      pan: 'ABCDE1234F',
    });
    expect(html).toBe('&lt;script&gt;alert(1)&lt;/script&gt; ₹1,00,000.00 02 Jan 2026 XXXXXX234F');
  });
});
