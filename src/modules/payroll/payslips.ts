/**
 * Payslips (issue 18 item 5): one approved payslip as a document — the PDF and the "How was this worked
 * out?" page — for the employee it belongs to, or for HR. Both read the calculator's stored breakdown (spec
 * §9), so they show exactly what the run computed; nothing is worked out again here.
 */
import { inTransaction, type Db } from '../../platform/db/client.js';
import { NotFound } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import type { People } from '../people/index.js';
import { findCompany } from '../tenancy/index.js';
import { periodStarts } from './pay-run-compute.js';
import * as store from './payslip-store.js';
import type { EmployeeMonthBreakdown } from './rules/calculate.js';
import type { ExplanationStep } from './rules/rule-table.js';

export interface PayslipDocument {
  payslipId: string;
  runId: string;
  companyName: string;
  month: string;
  employee: { code: string; fullName: string; department: string | null; uan: string | null; ifsc: string | null; pan: string; bankAccount: string };
  breakdown: EmployeeMonthBreakdown;
  /** Approved months of this financial year up to and including this one (spec §5: TDS is worked out on the year). */
  yearToDate: { gross: number; tds: number };
}

/** The explanation's steps under the headings a reader looks for; a rule not listed here lands in the last group. */
const GROUPS: readonly { title: string; rules: readonly string[] }[] = [
  { title: 'Earnings and loss of pay', rules: ['Loss of pay', 'Gross'] },
  { title: 'Provident fund', rules: ['PF wages', 'PF employee share', 'EPS (pension)', 'PF employer share', 'EDLI and admin charges'] },
  { title: 'Employees’ State Insurance', rules: ['ESI coverage', 'ESI contributions'] },
  { title: 'Professional tax', rules: ['Professional tax'] },
  {
    title: 'Income tax (TDS)',
    rules: [
      'Projected income',
      'Income tax slabs',
      'Rebate (s.87A)',
      'Rebate marginal relief (s.87A)',
      'Surcharge',
      'Health and education cess',
      'TDS this month',
    ],
  },
  { title: 'Net pay', rules: ['Pay not below zero', 'Net pay and employer cost'] },
];

export function groupExplanation(steps: readonly ExplanationStep[]): { title: string; steps: ExplanationStep[] }[] {
  const groups = GROUPS.map((g) => ({ title: g.title, steps: [] as ExplanationStep[] }));
  for (const step of steps) {
    const at = GROUPS.findIndex((g) => g.rules.includes(step.rule));
    groups[at === -1 ? groups.length - 1 : at]!.steps.push(step);
  }
  return groups.filter((g) => g.steps.length > 0);
}

export function payslipUseCases(deps: { db: Db; audit: Audit; people: People }) {
  const { db, audit, people } = deps;

  async function documentOf(caller: Caller, row: store.ApprovedPayslip): Promise<PayslipDocument> {
    const [company, masked, yearToDate] = await Promise.all([
      findCompany(db, caller.tenantId),
      // Masked, last 4 visible: the payslip never carries a whole PAN or account number (spec §8).
      people.masked(row.employee, ['pan', 'bankAccount'] as const),
      store.approvedYearToDate(db, caller.tenantId, row.employeeId, periodStarts(row.month).fyStart, row.month),
    ]);
    const show = (value: (typeof masked)['pan']) => (!value?.present ? 'not on record' : 'masked' in value ? value.masked : 'unreadable');
    return {
      payslipId: row.id,
      runId: row.runId,
      companyName: company?.name ?? '',
      month: row.month,
      employee: {
        code: row.employee.code,
        fullName: row.employee.fullName,
        department: row.department,
        uan: row.employee.uan,
        ifsc: row.employee.ifsc,
        pan: show(masked.pan),
        bankAccount: show(masked.bankAccount),
      },
      breakdown: JSON.parse(row.output) as EmployeeMonthBreakdown,
      yearToDate,
    };
  }

  return {
    /** The signed-in person's approved payslips; none when the account has no employee record. */
    async listOwn(caller: Caller) {
      const employeeId = caller.scope.kind === 'self' ? caller.scope.employeeId : null;
      if (!employeeId) return { hasRecord: false, payslips: [] };
      return { hasRecord: true, payslips: await store.approvedPayslipsOf(db, caller.tenantId, employeeId) };
    },

    /** One's own approved payslip; anyone else's, or a draft run's, is simply not found. */
    async own(caller: Caller, payslipId: string): Promise<PayslipDocument> {
      const employeeId = caller.scope.kind === 'self' ? caller.scope.employeeId : null;
      const row = employeeId ? await store.approvedPayslip(db, caller.tenantId, payslipId, employeeId) : undefined;
      if (!row) throw new NotFound('No such payslip');
      return documentOf(caller, row);
    },

    /**
     * HR: any employee's approved payslip. Looking at someone else's pay is audited (who, whose, which month,
     * PDF or explanation); one's own is not, as it is not when opened from /payslips.
     */
    async forHr(caller: Caller, payslipId: string, view: 'pdf' | 'explanation'): Promise<PayslipDocument> {
      const row = await store.approvedPayslip(db, caller.tenantId, payslipId);
      if (!row) throw new NotFound('No such payslip');
      if (row.employeeId !== caller.viewer.employeeId)
        await inTransaction(db, (tx) =>
          audit.recordFor(tx, caller.context, 'payslip.viewed', { type: 'employee', id: row.employeeId }, { payslipId: row.id, month: row.month, view }),
        );
      return documentOf(caller, row);
    },
  };
}

export type Payslips = ReturnType<typeof payslipUseCases>;
