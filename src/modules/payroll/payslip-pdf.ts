/**
 * The payslip PDF (issue 18 item 5): what the employee was paid for the month and why the deductions are
 * what they are, in whole rupees with Indian grouping (spec §9 amounts are whole rupees). Everything comes
 * from the stored breakdown; PAN and bank account arrive already masked.
 */
import { heading, labelValueTable, renderPdf, title, type Row } from '../../platform/pdf/index.js';
import { showRupees } from './rules/money.js';
import type { PayslipDocument } from './payslips.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const EARNING_NAMES: Record<string, string> = {
  basic: 'Basic',
  da: 'Dearness allowance',
  hra: 'House rent allowance',
  special: 'Special allowance',
  overtime: 'Overtime',
};

/** `2026-04` → `April 2026`. */
export function monthName(month: string): string {
  const [year, number] = month.split('-');
  return `${MONTHS[Number(number) - 1]} ${year}`;
}

function earningName(name: string): string {
  return EARNING_NAMES[name] ?? name.charAt(0).toUpperCase() + name.slice(1).replace(/[_-]+/g, ' ');
}

export function payslipPdf(payslip: PayslipDocument): Promise<Buffer> {
  const { breakdown: b, employee } = payslip;
  const month = monthName(payslip.month);
  const deductions = b.pf.employee + b.esi.employee + b.pt + b.tds.month;
  return renderPdf(
    (doc) => {
      title(doc, `Payslip for ${month}`, payslip.companyName);
      labelValueTable(doc, [
        { label: 'Employee', value: `${employee.fullName} (${employee.code})` },
        { label: 'Department', value: employee.department ?? '—' },
        { label: 'PAN', value: employee.pan },
        { label: 'Bank account', value: employee.ifsc ? `${employee.bankAccount} (${employee.ifsc})` : employee.bankAccount },
        { label: 'UAN', value: employee.uan ?? 'not on record' },
        { label: 'Days paid', value: `${b.paidDays} of ${b.basisDays}` },
        { label: 'Loss of pay (LOP) days', value: String(b.lopDays) },
      ]);

      heading(doc, 'Earnings');
      // DA shows only when paid: the calculator adds it as 0 for PF wages (spec §2), which is no earning.
      const earnings: Row[] = Object.entries(b.earnings)
        .filter(([name, amount]) => amount !== 0 || name !== 'da')
        .map(([name, amount]) => ({ label: earningName(name), value: showRupees(amount) }));
      labelValueTable(doc, [...earnings, { label: 'Gross earnings', value: showRupees(b.gross), bold: true }]);

      heading(doc, 'Deductions');
      labelValueTable(doc, [
        { label: 'Provident fund (PF)', value: showRupees(b.pf.employee) },
        { label: 'Employees’ State Insurance (ESI)', value: showRupees(b.esi.employee) },
        { label: 'Professional tax (PT)', value: showRupees(b.pt) },
        { label: 'Income tax deducted at source (TDS)', value: showRupees(b.tds.month) },
        { label: 'Total deductions', value: showRupees(deductions), bold: true },
      ]);

      heading(doc, 'Net pay');
      labelValueTable(doc, [{ label: 'Net pay', value: showRupees(b.net), bold: true }]);

      heading(doc, 'Employer contributions (not deducted from your pay)');
      labelValueTable(doc, [
        { label: 'EPF (employer share)', value: showRupees(b.pf.employerEpf) },
        { label: 'EPS (pension)', value: showRupees(b.pf.eps) },
        { label: 'EDLI', value: showRupees(b.pf.edli) },
        { label: 'PF admin charges', value: showRupees(b.pf.admin) },
        { label: 'ESI (employer share)', value: showRupees(b.esi.employer) },
      ]);

      heading(doc, `Year to date (financial year ${b.financialYear}, approved months)`);
      labelValueTable(doc, [
        { label: 'Gross earnings', value: showRupees(payslip.yearToDate.gross) },
        { label: 'TDS deducted', value: showRupees(payslip.yearToDate.tds) },
      ]);

      doc.moveDown(1).fontSize(8).fillColor('#555555').text('Amounts in whole rupees. How each figure was worked out is on the payslip’s page in Bizlumo HR.');
    },
    { title: `Payslip ${month} — ${employee.fullName}`, author: payslip.companyName },
  );
}
