import type { Db } from '../../platform/db/client.js';
import { parseShiftRules, type ShiftRules } from './rules/shift.js';

/**
 * A company's shift rules before HR has set any: 09:30–18:30, 15 minutes' grace, 4 h a half day, 8 h a full
 * day, Sundays off. SEAM (issue 17 item 6): storage and the settings page replace `shiftRulesOf`'s body.
 */
export const DEFAULT_SHIFT_RULES: ShiftRules = parseShiftRules({
  start: '09:30',
  end: '18:30',
  graceMinutes: 15,
  halfDayHours: 4,
  fullDayHours: 8,
  weeklyOffs: [0],
});

export async function shiftRulesOf(_db: Db, _tenantId: string): Promise<ShiftRules> {
  return DEFAULT_SHIFT_RULES;
}
