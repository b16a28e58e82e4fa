/** specs/payroll-india.md §9's input, verbatim: worked example A (§7 A), CTC 12,00,000 a year, Maharashtra, April 2026. */
export const EXAMPLE_A_INPUT = {
  month: '2026-04',
  state: 'MH',
  gender: 'male',
  regime: 'new',
  earnings: { basic: 50000, da: 0, hra: 20000, special: 28200 },
  pf: { mode: 'restricted', epsEligible: true },
  esi: { coveredAtPeriodStart: false },
  daysBasis: 'calendar',
  lopDays: 0,
  ytd: { taxableGross: 0, tdsDeducted: 0 },
} as const;
