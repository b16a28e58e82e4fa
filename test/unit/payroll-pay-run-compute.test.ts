import { describe, expect, it } from 'vitest';
import { periodStarts, workOutEmployeeMonth, type EmployeeMonthSources } from '../../src/modules/payroll/pay-run-compute.js';
import type { SalaryStructureRow, SalaryTemplateRow } from '../../src/modules/payroll/schema.js';

/** One employee-month of a pay run from its sources (structure, attendance, year-to-date), without a database. */
const template: SalaryTemplateRow = { id: 't1', tenantId: 'c1', name: 'Standard', basicBasisPoints: 5000, hraBasisPoints: 4000, createdAt: new Date() };
const structure = (annualCtc: number, allowances: Record<string, number> = {}): SalaryStructureRow => ({
  id: 's1',
  tenantId: 'c1',
  employeeId: 'e1',
  effectiveFrom: '2026-04-01',
  templateId: 't1',
  annualCtc,
  basicOverride: null,
  hraOverride: null,
  da: 0,
  allowances: JSON.stringify(allowances),
  pfMode: 'restricted',
  setBy: 'u1',
  createdAt: new Date(),
});
const employee = {
  id: 'e1',
  code: 'E1',
  fullName: 'Asha Patil',
  workState: 'MH',
  gender: 'male' as const,
  dateOfJoining: '2024-04-01',
  dateOfLeaving: null,
  hasPan: 1,
  hasBankAccount: 1,
  ifsc: 'HDFC0000001',
  uan: '100000000001',
};
const sources = (overrides: Partial<EmployeeMonthSources> = {}): EmployeeMonthSources => ({
  employee,
  structure: structure(1_200_000),
  template,
  attendance: { lopDays: 0, notEmployed: 0 },
  ytd: undefined,
  month: '2026-04',
  ...overrides,
});

describe('workOutEmployeeMonth', () => {
  it('gives worked example A with no problems (spec §7 A)', () => {
    const worked = workOutEmployeeMonth(sources());
    expect(worked.ok && worked.breakdown.net).toBe(96_200);
    expect(worked.problems).toEqual([]);
  });

  it("counts a mid-month joiner's days before joining as unpaid days, on top of LOP", () => {
    const worked = workOutEmployeeMonth(sources({ attendance: { lopDays: 1, notEmployed: 15 } }));
    expect(worked.ok && worked.input.lopDays).toBe(16);
  });

  it('skips an employee without a structure, or in a state without PT rules, saying why', () => {
    expect(workOutEmployeeMonth(sources({ structure: undefined }))).toEqual({
      ok: false,
      problems: [expect.objectContaining({ level: 'skipped', problem: 'no salary structure in force in 2026-04' })],
    });
    const delhi = workOutEmployeeMonth(sources({ employee: { ...employee, workState: 'DL' } }));
    expect(delhi.ok).toBe(false);
    expect(delhi.problems[0]!.problem).toMatch(/no professional tax rules for DL/);
  });

  it('lists missing PAN, UAN, bank details and gender as warnings and still pays', () => {
    const worked = workOutEmployeeMonth(sources({ employee: { ...employee, hasPan: 0, uan: null, ifsc: null, gender: null } }));
    expect(worked.ok).toBe(true);
    expect(worked.problems.map((p) => [p.level, p.problem.split(':')[0]])).toEqual([
      ['warning', 'no PAN'],
      ['warning', 'no UAN'],
      ['warning', 'no bank account or IFSC'],
      ['warning', 'gender not recorded'],
    ]);
  });

  it('keeps ESI to the end of the period for one covered at its start, and says so (spec §3)', () => {
    const ytd = { taxableGross: 20_000, tdsDeducted: 0, professionalTax: 200, halfYearGross: 20_000, esiCoveredAtPeriodStart: true };
    const worked = workOutEmployeeMonth(sources({ structure: structure(300_000), ytd, month: '2026-05' }));
    expect(worked.ok && worked.breakdown.esi.covered).toBe(true);
    expect(worked.problems).toEqual([expect.objectContaining({ level: 'info' })]);
  });

  it('names allowances as the calculator takes them (letters and digits)', () => {
    const worked = workOutEmployeeMonth(sources({ structure: structure(1_200_000, { 'Conveyance Allowance': 1600 }) }));
    expect(worked.ok && worked.input.earnings).toMatchObject({ ConveyanceAllowance: 1600 });
  });
});

describe('periodStarts', () => {
  it.each([
    ['2026-04', '2026-04', '2026-04'],
    ['2026-09', '2026-04', '2026-04'],
    ['2026-10', '2026-04', '2026-10'],
    ['2027-03', '2026-04', '2026-10'],
  ])('%s: financial year from %s, half-year from %s', (month, fyStart, halfYearStart) => {
    expect(periodStarts(month)).toEqual({ fyStart, halfYearStart });
  });
});
