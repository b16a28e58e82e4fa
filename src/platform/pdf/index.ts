/**
 * PDF documents (payslips now; invoices and data exports next): pdfkit, with DejaVu Sans embedded from the
 * `dejavu-fonts-ttf` package because pdfkit's built-in Helvetica has no ₹ (U+20B9) and cannot embed it.
 * pdfkit subsets the font and writes a ToUnicode map, so the text reads back (tests use `unpdf`).
 * No business rules here: callers build the document with the helpers below.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

export type PdfDoc = PDFKit.PDFDocument;

const require = createRequire(import.meta.url);
// Read once per process (about 1.4 MB for both): a pay run's worth of payslips should not re-read the disk each time.
const FONTS = {
  body: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
  bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
} as const;

const MARGIN = 40;

/** Builds an A4 document with `build` and resolves to its bytes. */
export function renderPdf(build: (doc: PdfDoc) => void, info: { title?: string; author?: string } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // pdfkit writes every key of `info`, and fails on an undefined one: only the ones given.
    const meta: PDFKit.DocumentInfo = {};
    if (info.title) meta.Title = info.title;
    if (info.author) meta.Author = info.author;
    const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: meta });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      doc.registerFont('body', FONTS.body);
      doc.registerFont('bold', FONTS.bold);
      doc.font('body').fontSize(10);
      build(doc);
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** A heading at the top of a document, with an optional line under it in smaller type. */
export function title(doc: PdfDoc, text: string, subtitle?: string): void {
  doc.font('bold').fontSize(16).text(text, { align: 'left' });
  if (subtitle) doc.font('body').fontSize(10).fillColor('#444444').text(subtitle).fillColor('black');
  doc.font('body').fontSize(10).moveDown(0.8);
}

/** A small bold heading before a block. */
export function heading(doc: PdfDoc, text: string): void {
  doc.moveDown(0.4).font('bold').fontSize(11).text(text).font('body').fontSize(10).moveDown(0.2);
}

export interface Row {
  label: string;
  /** Already formatted (the caller knows whether it is rupees, days or text). */
  value: string;
  bold?: boolean;
}

/**
 * Two columns: labels on the left, values right-aligned, over `width` points from the left margin (the whole
 * page width by default). Each row is drawn at the same y so long labels never push the value down a line.
 */
export function labelValueTable(doc: PdfDoc, rows: readonly Row[], options: { x?: number; width?: number } = {}): void {
  const x = options.x ?? doc.page.margins.left;
  const width = options.width ?? doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const valueWidth = Math.min(160, width / 2);
  for (const row of rows) {
    const y = doc.y;
    doc.font(row.bold ? 'bold' : 'body').fontSize(10);
    doc.text(row.label, x, y, { width: width - valueWidth - 8 });
    const labelBottom = doc.y;
    doc.text(row.value, x + width - valueWidth, y, { width: valueWidth, align: 'right' });
    doc.y = Math.max(labelBottom, doc.y) + 2;
  }
  doc.font('body').x = doc.page.margins.left;
}
