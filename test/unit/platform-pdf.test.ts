import { describe, expect, it } from 'vitest';
import { heading, labelValueTable, renderPdf, title } from '../../src/platform/pdf/index.js';
import { pdfText as textOf } from '../support/pdf.js';

/** platform/pdf: pdfkit with DejaVu Sans embedded, read back with unpdf (ARCHITECTURE.md, platform/pdf). */

describe('renderPdf', () => {
  it('renders a PDF whose text, ₹ included, reads back', async () => {
    const pdf = await renderPdf(
      (doc) => {
        title(doc, 'Payslip for April 2026', 'Acme Private Limited');
        heading(doc, 'Earnings');
        labelValueTable(doc, [
          { label: 'Basic', value: '₹12,34,567' },
          { label: 'Net pay', value: '₹96,200', bold: true },
        ]);
      },
      { title: 'Test' },
    );
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await textOf(pdf);
    expect(text).toContain('Payslip for April 2026');
    expect(text).toContain('Acme Private Limited');
    expect(text).toContain('₹12,34,567');
    expect(text).toContain('₹96,200');
  });

  it('rejects when the build throws, rather than hanging', async () => {
    await expect(
      renderPdf(() => {
        throw new Error('broken build');
      }),
    ).rejects.toThrow('broken build');
  });
});
