/**
 * What every statute's rule table shares: lookup by financial year (and state), the error when the
 * spec gives no rule, and the explanation step each rule writes as it works.
 */
import { DomainError } from '../../../platform/errors.js';

/**
 * The spec gives no rule for this year or state. A configuration problem at payroll time, never a silent
 * zero (spec §4: "A state without a table is a clear configuration error"). `field` names the input that
 * led here (`month` for a year, `state` for a state), so a page or the command line can point at it.
 */
export class NoStatutoryRule extends DomainError {
  readonly statusCode = 422;
  readonly code = 'no_statutory_rule';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** One line of "How was this worked out?": which rule, what it did in plain words, and its source. */
export interface ExplanationStep {
  /** Short name of the rule: `LOP`, `PF employee share`, `ESI coverage`, `Professional tax`, `Income tax slabs`, … */
  rule: string;
  /** What the rule did for this employee-month, with the rate, slab or ceiling and the amounts. */
  says: string;
  /** Where the number comes from: the spec section and the statute or notification it rests on. */
  source: string;
}

/** Tables keyed by financial year (`2026-27`). */
export type ByFinancialYear<T> = Readonly<Record<string, T>>;

/** The table for `financialYear`, or NoStatutoryRule naming the statute and the year. */
export function ruleFor<T>(table: ByFinancialYear<T>, financialYear: string, statute: string): T {
  const rule = table[financialYear];
  if (!rule) {
    const known = Object.keys(table).join(', ');
    throw new NoStatutoryRule('month', `no ${statute} rules for FY ${financialYear} (rules exist for FY ${known})`);
  }
  return rule;
}
