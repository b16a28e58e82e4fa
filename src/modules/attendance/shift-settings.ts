/**
 * HR's shift settings (issue 17 item 6): the company's start, end, grace, half- and full-day hours, weekly and
 * monthly offs and holiday list. Every change is validated whole by `shiftRulesSchema` (a change to one field
 * can break a rule between fields, e.g. a shorter shift under the full-day hours) and audited with before → after.
 */
import type { Clock } from '../../platform/clock/index.js';
import { inTransaction, type Db } from '../../platform/db/client.js';
import { Invalid } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { parseShiftRules, type ShiftRules, type ShiftRulesInput } from './rules/shift.js';
import { lockShiftRules, saveShiftRules, shiftRulesOf } from './shift-store.js';

export interface DaysDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
}

/** The shift fields of the settings form: everything but the holiday list, which has its own add and remove. */
export type ShiftFormInput = Omit<ShiftRulesInput, 'holidays'>;
export type Holiday = ShiftRules['holidays'][number];

/** Only what changed, before and after, for the audit entry. */
function changes(before: ShiftRules, after: ShiftRules) {
  const keys = (Object.keys(after) as (keyof ShiftRules)[]).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
  return {
    before: Object.fromEntries(keys.map((key) => [key, before[key]])),
    after: Object.fromEntries(keys.map((key) => [key, after[key]])),
  };
}

export function shiftSettingsUseCases(deps: DaysDeps) {
  const { db, audit } = deps;
  const companyTarget = (tenantId: string) => ({ type: 'company', id: tenantId });

  /** Reads, changes and stores the rules in one transaction, with their audit entry; nothing when nothing changed. */
  async function change(caller: Caller, edit: (rules: ShiftRules) => ShiftRules, action: string): Promise<ShiftRules> {
    return inTransaction(db, async (tx) => {
      const at = deps.clock.now();
      const before = await lockShiftRules(tx, caller.tenantId, at);
      const after = edit(before);
      const diff = changes(before, after);
      if (Object.keys(diff.after).length === 0) return after;
      await saveShiftRules(tx, caller.tenantId, after, at);
      await audit.recordFor(tx, caller.context, action, companyTarget(caller.tenantId), diff);
      return after;
    });
  }

  return {
    shiftRules: (caller: Caller) => shiftRulesOf(db, caller.tenantId),

    /** The form's fields replace the rules' (the holiday list stays as it is). */
    saveShiftRules: (caller: Caller, input: ShiftFormInput) =>
      change(caller, (before) => parseShiftRules({ ...input, holidays: before.holidays }), 'attendance.shift_rules_changed'),

    addHoliday: (caller: Caller, holiday: Holiday) =>
      change(
        caller,
        (before) => {
          const taken = before.holidays.find((h) => h.date === holiday.date);
          if (taken) throw new Invalid('date', `is already a holiday (${taken.name})`);
          const holidays = [...before.holidays, holiday].sort((a, b) => a.date.localeCompare(b.date));
          return parseShiftRules({ ...before, holidays });
        },
        'attendance.holiday_added',
      ),

    removeHoliday: (caller: Caller, date: string) =>
      change(
        caller,
        (before) => {
          if (!before.holidays.some((h) => h.date === date)) throw new Invalid('date', 'is not on the holiday list');
          return parseShiftRules({ ...before, holidays: before.holidays.filter((h) => h.date !== date) });
        },
        'attendance.holiday_removed',
      ),
  };
}
