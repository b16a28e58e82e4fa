/**
 * Punches to days (issue 17 item 6): the use cases around the day records — HR's shift settings, an
 * employee's own month, regularisation requests and their decisions, punches HR records. The records
 * themselves come only from `month.ts` (the one seam pages and payroll share).
 */
import { istMonth, istMonthBounds, type IsoMonth } from '../../platform/clock/index.js';
import type { Caller } from '../access/index.js';
import { employeesInScope } from '../people/index.js';
import { monthSummariesOf } from './month.js';
import { regularisationsOfEmployee } from './regularisation-store.js';
import { regularisationUseCases } from './regularisations.js';
import { hrPunchUseCases } from './hr-punch.js';
import { shiftRulesOf } from './shift-store.js';
import { shiftSettingsUseCases, type DaysDeps } from './shift-settings.js';

export type { DaysDeps } from './shift-settings.js';

export function createDays(deps: DaysDeps) {
  const { db } = deps;
  return {
    ...shiftSettingsUseCases(deps),
    ...regularisationUseCases(deps),
    ...hrPunchUseCases(deps),

    now: () => deps.clock.now(),

    /** The IST month it is now: the month page's default. */
    currentMonth: (): IsoMonth => istMonth(deps.clock.now()),

    /**
     * The signed-in employee's month (the route declares the self scope): each day's record and the totals
     * payroll will read, with their regularisation requests of the month. Null when the account has no
     * employee record (an owner, a finance user).
     */
    async ownMonth(caller: Caller, month: IsoMonth) {
      const [self] = caller.scope.kind === 'self' ? await employeesInScope(db, caller.tenantId, caller.scope) : [];
      if (!self) return null;
      const now = deps.clock.now();
      const { firstDay, lastDay } = istMonthBounds(month);
      const [summaries, requests, rules] = await Promise.all([
        monthSummariesOf(db, caller.tenantId, [self], month, now),
        regularisationsOfEmployee(db, caller.tenantId, self.id, firstDay, lastDay),
        shiftRulesOf(db, caller.tenantId),
      ]);
      return { employee: self, summary: summaries.get(self.id)!, requests, rules, now };
    },
  };
}

export type Days = ReturnType<typeof createDays>;
