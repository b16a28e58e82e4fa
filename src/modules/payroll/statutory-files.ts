/**
 * Statutory and bank files of an approved pay run (issue 18 item 5): the bank transfer CSV, the EPF return
 * (ECR, spec §2), the ESI register (spec §3), the professional tax register (spec §4) and the payroll
 * register. Every figure comes from the payslips as the run stored them: nothing is computed a second time.
 *
 * Only an approved run has files: a draft can still change, and a file from it could be uploaded or paid.
 * Every download is audited with who, which run and which file; the bank file, which holds decrypted account
 * numbers, is marked sensitive and its audit entry carries counts, never the numbers.
 */
import type { Db } from '../../platform/db/client.js';
import { CiphertextRejected, type FieldCipher } from '../../platform/crypto/index.js';
import { Conflict, NotFound } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { sensitiveFieldLocation, toCsv } from '../people/index.js';
import type { EmployeeMonthBreakdown } from './rules/calculate.js';
import { ecrLine } from './rules/pf.js';
import * as runStore from './pay-run-store.js';
import { bankAccountCiphers, payslipsForFiles, type PayslipForFiles } from './statutory-file-store.js';

export const STATUTORY_FILES = ['bank', 'ecr', 'esi', 'pt', 'register'] as const;
export type StatutoryFile = (typeof STATUTORY_FILES)[number];

export interface FileDownload {
  filename: string;
  contentType: string;
  body: string;
}

type Slip = PayslipForFiles & { breakdown: EmployeeMonthBreakdown };

const CSV = 'text/csv; charset=utf-8';

export function statutoryFileUseCases(deps: { db: Db; audit: Audit; cipher: FieldCipher }) {
  const { db, audit, cipher } = deps;

  async function approvedRun(caller: Caller, runId: string) {
    const run = await runStore.findRun(db, caller.tenantId, runId);
    if (!run) throw new NotFound('No such pay run');
    if (run.status !== 'approved') throw new Conflict(`The pay run for ${run.month} is not approved yet: only an approved run has bank and statutory files`);
    return run;
  }

  async function slipsOf(tenantId: string, runId: string): Promise<Slip[]> {
    const rows = await payslipsForFiles(db, tenantId, runId);
    return rows.map((row) => ({ ...row, breakdown: JSON.parse(row.output) as EmployeeMonthBreakdown }));
  }

  /**
   * Bank transfer: one row per payslip with net pay. An employee without an account number or IFSC is left
   * out of the file (and named on the run page), not refused: refusing would hold back everyone's salary
   * for one missing record, and a "problems" section inside the file would be read by the bank as bad rows.
   */
  async function bankFile(caller: Caller, slips: Slip[]) {
    const payable = slips.filter((s) => s.net > 0);
    const ready = payable.filter((s) => s.hasBankAccount && s.ifsc);
    const ciphers = await bankAccountCiphers(
      db,
      caller.tenantId,
      ready.map((s) => s.employeeId),
    );
    const rows: string[][] = [];
    const unreadable: string[] = [];
    for (const slip of ready) {
      try {
        const account = await cipher.decrypt(caller.tenantId, sensitiveFieldLocation(slip.employeeId, 'bankAccount'), ciphers.get(slip.employeeId)!);
        rows.push([account, slip.ifsc!, String(slip.net), slip.fullName]);
      } catch (error) {
        if (!(error instanceof CiphertextRejected)) throw error;
        unreadable.push(slip.code);
      }
    }
    // A salary file that silently drops people whose account would not decrypt gets paid short: refuse it.
    // The cipher has already raised the alert for the key problem.
    if (unreadable.length > 0)
      throw new Conflict(`The bank account of ${unreadable.join(', ')} cannot be read; the bank file was not made (the security team was alerted)`);
    return {
      body: toCsv(['account_number', 'ifsc', 'amount', 'name'], rows),
      details: { rows: rows.length, leftOut: payable.length - ready.length, sensitive: true },
    };
  }

  /** The ECR (spec §2): one line per member with a UAN, no header, from the run's stored `ecr` figures. */
  function ecrFile(slips: Slip[]) {
    const members = slips.filter((s) => s.uan);
    const lines = members.map((s) => ecrLine(s.uan!, s.fullName, s.breakdown.ecr));
    return { body: lines.join('\n'), details: { rows: lines.length, leftOut: slips.length - members.length } };
  }

  /** ESI register (spec §3): the employees covered this month, with both contributions. */
  function esiFile(slips: Slip[]) {
    const covered = slips.filter((s) => s.breakdown.esi.covered);
    const rows = covered.map((s) => [
      s.esicNumber ?? '',
      s.fullName,
      String(s.breakdown.paidDays),
      String(s.breakdown.gross),
      String(s.breakdown.esi.employee),
      String(s.breakdown.esi.employer),
    ]);
    return { body: toCsv(['ip_number', 'name', 'days_paid', 'gross', 'employee_contribution', 'employer_contribution'], rows), details: { rows: rows.length } };
  }

  /** Professional tax register (spec §4): by work state, since each state has its own return. */
  function ptFile(slips: Slip[]) {
    const byState = [...slips].sort((a, b) => a.breakdown.state.localeCompare(b.breakdown.state) || a.code.localeCompare(b.code));
    const rows = byState.map((s) => [s.breakdown.state, s.code, s.fullName, String(s.breakdown.gross), String(s.breakdown.pt)]);
    return { body: toCsv(['state', 'code', 'name', 'gross', 'professional_tax'], rows), details: { rows: rows.length } };
  }

  /** The payroll register: every payslip with each earning (the run's component names) and each deduction. */
  function registerFile(slips: Slip[]) {
    const earnings = [...new Set(slips.flatMap((s) => Object.keys(s.breakdown.earnings)))];
    const header = [
      'code',
      'name',
      'department',
      'days_paid',
      'lop_days',
      ...earnings,
      'gross',
      'pf_employee',
      'esi_employee',
      'professional_tax',
      'tds',
      'total_deductions',
      'net',
      'employer_cost',
    ];
    const rows = slips.map((s) => {
      const b = s.breakdown;
      return [
        s.code,
        s.fullName,
        s.department ?? '',
        String(b.paidDays),
        String(b.lopDays),
        ...earnings.map((name) => String(b.earnings[name] ?? 0)),
        String(b.gross),
        String(b.pf.employee),
        String(b.esi.employee),
        String(b.pt),
        String(b.tds.month),
        String(b.gross - b.net),
        String(b.net),
        String(b.employerCost),
      ];
    });
    return { body: toCsv(header, rows), details: { rows: rows.length } };
  }

  return {
    /** One file of an approved run, audited (`pay_run.file_downloaded`: which file, how many rows). */
    async download(caller: Caller, runId: string, file: StatutoryFile): Promise<FileDownload> {
      const run = await approvedRun(caller, runId);
      const slips = await slipsOf(caller.tenantId, runId);
      const made =
        file === 'bank'
          ? await bankFile(caller, slips)
          : file === 'ecr'
            ? ecrFile(slips)
            : file === 'esi'
              ? esiFile(slips)
              : file === 'pt'
                ? ptFile(slips)
                : registerFile(slips);
      await audit.recordFor(db, caller.context, 'pay_run.file_downloaded', { type: 'pay_run', id: runId }, { file, month: run.month, ...made.details });
      const names: Record<StatutoryFile, string> = {
        bank: `bank-transfer-${run.month}.csv`,
        ecr: `epf-ecr-${run.month}.txt`,
        esi: `esi-register-${run.month}.csv`,
        pt: `pt-register-${run.month}.csv`,
        register: `payroll-register-${run.month}.csv`,
      };
      return { filename: names[file], contentType: file === 'ecr' ? 'text/plain; charset=utf-8' : CSV, body: made.body };
    },
  };
}

export type StatutoryFiles = ReturnType<typeof statutoryFileUseCases>;
