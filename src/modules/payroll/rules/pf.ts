/**
 * Provident fund: EPF, EPS (pension), EDLI (insurance) and admin charges, and the member's ECR line.
 * Numbers from specs/payroll-india.md §2, which marks them [law]: the Employees' Provident Funds and
 * Miscellaneous Provisions Act 1952 (s.6 contribution rates), the EPF Scheme 1952, the Employees' Pension
 * Scheme 1995 (para 3: 8.33% of pay up to the wage ceiling; para 6 and GSR 609(E) of 22-Aug-2014: the
 * 15,000 ceiling and the exclusion of new members above it from 1-Sep-2014; the pension age of 58) and the
 * EDLI Scheme 1976.
 */
import { applyRateHalfUp, percent, roundHalfUp, showRate, showRupees, type Rate } from './money.js';
import { ruleFor, type ByFinancialYear, type ExplanationStep } from './rule-table.js';
import type { PayMonth } from './period.js';

export interface PfRules {
  /** Wage ceiling for restricted PF, EPS and EDLI wages. Spec §2 [law] (GSR 609(E), 22-Aug-2014). */
  wageCeiling: number;
  /** Member and employer share, by the company's contribution rate. Spec §2 [law] (EPF & MP Act s.6). */
  contributionRates: { 12: Rate; 10: Rate };
  /** Pension share of the employer's contribution, on wages up to the ceiling. Spec §2 [law] (EPS 1995 para 3). */
  epsRate: Rate;
  /** EDLI premium on wages up to the ceiling, employer only. Spec §2 [law] (EDLI Scheme 1976). */
  edliRate: Rate;
  /** Administration charges on PF wages, employer only. Spec §2 [law]. */
  adminRate: Rate;
  /** Members joining on or after this date with wages above the ceiling are not EPS members. Spec §2 [law]. */
  epsNewMemberCutoff: string;
  /** From this age the member is not EPS-eligible. Spec §2 [law] (EPS 1995: pension age 58). */
  epsAgeLimit: number;
}

const PF_FROM_SEPTEMBER_2014: PfRules = {
  wageCeiling: 15_000,
  contributionRates: { 12: percent(12), 10: percent(10) },
  epsRate: percent(833, 10_000),
  edliRate: percent(5, 1_000),
  adminRate: percent(5, 1_000),
  epsNewMemberCutoff: '2014-09-01',
  epsAgeLimit: 58,
};

/** The spec covers FY 2025-26 and FY 2026-27 with the same numbers (spec title and §2). */
export const PF_RULES: ByFinancialYear<PfRules> = { '2025-26': PF_FROM_SEPTEMBER_2014, '2026-27': PF_FROM_SEPTEMBER_2014 };

const SOURCE = 'spec §2 [law]; EPF & MP Act 1952 s.6, EPF Scheme 1952';
const EPS_SOURCE = 'spec §2 [law]; Employees’ Pension Scheme 1995 para 3, GSR 609(E) of 22-Aug-2014';
const ROUNDING = 'rounded to the nearest rupee, 50 paise and above up (spec §2 [law])';

export interface PfSettings {
  /** `restricted`: PF wages capped at the ceiling (default). `actual`: both shares on actual wages (joint request). */
  mode: 'restricted' | 'actual';
  /** 12% (default) or 10% (fewer than 20 employees and some industries): a company setting, spec §2. */
  contributionRate: 12 | 10;
  /** HR's declaration; `false` excludes the member whatever the facts below say. */
  epsEligible: boolean;
  /** Facts that decide EPS eligibility by the rules of spec §2, when known. */
  dateOfBirth?: string | undefined;
  joinedOn?: string | undefined;
  wagesAtJoining?: number | undefined;
}

export interface PfShares {
  /** PF wages (PFw): basic + DA drawn (or the Labour Codes wage), capped at the ceiling when restricted. */
  wages: number;
  employee: number;
  eps: number;
  employerEpf: number;
  edli: number;
  admin: number;
  epsEligible: boolean;
  epsWages: number;
  edliWages: number;
}

/** Whether the member is in the pension scheme this month, and why (spec §2). */
export function epsEligibility(settings: PfSettings, month: PayMonth, rules: PfRules): { eligible: boolean; because: string } {
  if (!settings.epsEligible) return { eligible: false, because: 'HR has recorded the member as not EPS-eligible' };
  if (settings.dateOfBirth) {
    const firstDay = `${month.month}-01`;
    const age = completedYears(settings.dateOfBirth, firstDay);
    // Spec §2 says "aged 58+" without naming the month of the birthday: we read it as 58 completed on the
    // first day of the wage month, so the month in which the member turns 58 still carries EPS.
    if (age >= rules.epsAgeLimit) return { eligible: false, because: `the member is ${age} on ${firstDay}, and EPS stops at ${rules.epsAgeLimit}` };
  }
  if (settings.joinedOn && settings.wagesAtJoining !== undefined) {
    if (settings.joinedOn >= rules.epsNewMemberCutoff && settings.wagesAtJoining > rules.wageCeiling)
      return {
        eligible: false,
        because: `the member joined on ${settings.joinedOn} (on or after ${rules.epsNewMemberCutoff}) with wages of ${showRupees(settings.wagesAtJoining)}, above ${showRupees(rules.wageCeiling)}`,
      };
  }
  return { eligible: true, because: 'the member is EPS-eligible' };
}

function completedYears(birthDate: string, onDate: string): number {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/**
 * The statutory wage base (spec §2, "Labour Codes"): `pre-code` is basic + DA (the default, and what the
 * worked examples use); `code-50` adds back the part of the excluded allowances above 50% of total
 * remuneration (Code on Social Security 2020 s.2(88), in force 21-Nov-2025), rounded half-up to the rupee
 * like every PF amount.
 */
export function statutoryWages(earnings: Readonly<Record<string, number>>, gross: number, basis: 'pre-code' | 'code-50'): { wages: number; says: string } {
  const basicAndDa = (earnings.basic ?? 0) + (earnings.da ?? 0);
  if (basis === 'pre-code') return { wages: basicAndDa, says: `basic + DA drawn = ${showRupees(basicAndDa)} (pre-code basis)` };
  const wageCore = basicAndDa + (earnings.retainingAllowance ?? 0);
  const excluded = gross - wageCore;
  // excluded − gross/2, as an exact half-rupee count, rounded half-up.
  const excess = Math.max(0, roundHalfUp(2 * excluded - gross, 2));
  return {
    wages: wageCore + excess,
    says: `basic + DA + retaining allowance = ${showRupees(wageCore)}, plus ${showRupees(excess)} of allowances above 50% of ${showRupees(gross)} (Labour Codes 50% basis)`,
  };
}

export function providentFund(drawnWages: { wages: number; says: string }, settings: PfSettings, month: PayMonth): { pf: PfShares; steps: ExplanationStep[] } {
  const rules = ruleFor(PF_RULES, month.financialYear, 'provident fund');
  const steps: ExplanationStep[] = [];
  const capped = Math.min(drawnWages.wages, rules.wageCeiling);
  const wages = settings.mode === 'restricted' ? capped : drawnWages.wages;
  steps.push({
    rule: 'PF wages',
    says:
      settings.mode === 'restricted'
        ? `PF wages are ${drawnWages.says}, capped at the ${showRupees(rules.wageCeiling)} ceiling (restricted mode): ${showRupees(wages)}`
        : `PF wages are ${drawnWages.says}, not capped (actual mode, by joint request): ${showRupees(wages)}`,
    source: SOURCE,
  });

  const rate = rules.contributionRates[settings.contributionRate];
  const employee = applyRateHalfUp(wages, rate);
  const employerTotal = applyRateHalfUp(wages, rate);
  steps.push({ rule: 'PF employee share', says: `${showRate(rate)} of ${showRupees(wages)} = ${showRupees(employee)}, ${ROUNDING}`, source: SOURCE });

  const eligibility = epsEligibility(settings, month, rules);
  const epsWages = eligibility.eligible ? capped : 0;
  const eps = eligibility.eligible ? applyRateHalfUp(epsWages, rules.epsRate) : 0;
  steps.push({
    rule: 'EPS (pension)',
    says: eligibility.eligible
      ? `${showRate(rules.epsRate)} of ${showRupees(epsWages)} (PF wages up to ${showRupees(rules.wageCeiling)}) = ${showRupees(eps)}, ${ROUNDING}`
      : `nil: ${eligibility.because}; the whole employer share goes to EPF`,
    source: EPS_SOURCE,
  });
  const employerEpf = employerTotal - eps;
  steps.push({
    rule: 'PF employer share',
    says: `${showRate(rate)} of ${showRupees(wages)} = ${showRupees(employerTotal)}: ${showRupees(eps)} to EPS and the rest, ${showRupees(employerEpf)}, to EPF (EPF absorbs the rounding)`,
    source: SOURCE,
  });

  const edliWages = capped;
  const edli = applyRateHalfUp(edliWages, rules.edliRate);
  const admin = applyRateHalfUp(wages, rules.adminRate);
  steps.push({
    rule: 'EDLI and admin charges',
    says: `EDLI ${showRate(rules.edliRate)} of ${showRupees(edliWages)} = ${showRupees(edli)}; admin charges ${showRate(rules.adminRate)} of ${showRupees(wages)} = ${showRupees(admin)}; both paid by the employer, not from pay`,
    source: 'spec §2 [law]; EDLI Scheme 1976, EPF & MP Act 1952',
  });

  return { pf: { wages, employee, eps, employerEpf, edli, admin, epsEligible: eligibility.eligible, epsWages, edliWages }, steps };
}

/** The member's figures in the monthly return (spec §2, "Monthly return (ECR)"): whole rupees. */
export interface EcrFigures {
  gross: number;
  epfWages: number;
  epsWages: number;
  edliWages: number;
  epfContri: number;
  epsContri: number;
  diff: number;
  ncpDays: number;
}

export function ecrFigures(gross: number, pf: PfShares, ncpDays: number): EcrFigures {
  return {
    gross,
    epfWages: pf.wages,
    epsWages: pf.epsWages,
    edliWages: pf.edliWages,
    epfContri: pf.employee,
    epsContri: pf.eps,
    // EPF_EPS_DIFF = employer share − EPS, which is the employer's EPF share.
    diff: pf.employerEpf,
    ncpDays,
  };
}

/**
 * One ECR line: fields joined by `#~#`, no header, in the order of spec §2. Names carry no special
 * characters except `.` (spec §2), so anything else is dropped and runs of spaces collapse.
 */
export function ecrLine(uan: string, name: string, ecr: EcrFigures, refundOfAdvances = 0): string {
  const cleanName = name
    .replace(/[^A-Za-z .]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return [uan, cleanName, ecr.gross, ecr.epfWages, ecr.epsWages, ecr.edliWages, ecr.epfContri, ecr.epsContri, ecr.diff, ecr.ncpDays, refundOfAdvances].join(
    '#~#',
  );
}
