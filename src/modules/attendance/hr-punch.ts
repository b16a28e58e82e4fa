/**
 * HR records a punch for an employee (kiosk.md "Recognition": "or HR records the punch"), for a day the kiosk
 * missed: method `hr`, no kiosk, a reason, audited. It goes through the same punch table and locks as a kiosk
 * punch, so the day's record treats it like any other punch (and HR's punch log shows its method).
 */
import { istDay, istInstant, type IsoDate } from '../../platform/clock/index.js';
import { inTransaction } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { Invalid } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import { minutesOfDay } from './rules/shift.js';
import type { Direction } from './schema.js';
import { KIOSK_LIMITS } from './service.js';
import * as store from './store.js';
import { PUNCH_ISOLATION } from './recognition.js';
import type { DaysDeps } from './shift-settings.js';

export interface HrPunchInput {
  employeeCode: string;
  /** IST calendar date and wall-clock time of the punch. */
  date: IsoDate;
  time: string;
  direction: Direction;
  reason: string;
}

export function hrPunchUseCases(deps: DaysDeps) {
  const { db, audit } = deps;

  return {
    async recordPunchByHr(caller: Caller, input: HrPunchInput): Promise<{ punchId: string; employee: { fullName: string; code: string }; at: Date }> {
      const employee = await store.employeeByCode(db, caller.tenantId, input.employeeCode);
      if (!employee) throw new Invalid('employeeCode', 'is not an employee of this company');
      const at = istInstant(input.date, minutesOfDay(input.time));
      if (at.getTime() > deps.clock.now().getTime()) throw new Invalid('time', 'is in the future');
      return inTransaction(
        db,
        async (tx) => {
          // Locks the employee as a kiosk punch does (same isolation): a kiosk and HR punching them at once queue here.
          const last = (await store.lockEmployeeWithLastPunch(tx, caller.tenantId, employee.id, new Date(at.getTime() - 36 * 3600_000)))?.lastPunch;
          if (last && Math.abs(last.at.getTime() - at.getTime()) < KIOSK_LIMITS.punchMergeMs)
            throw new Invalid('time', 'is within 2 minutes of their latest punch: that punch is already recorded');
          const punchId = newId();
          await store.insertPunch(tx, caller.tenantId, {
            id: punchId,
            employeeId: employee.id,
            kioskId: null,
            at,
            istDay: istDay(at),
            direction: input.direction,
            method: 'hr',
            distance: null,
            livenessScore: null,
          });
          await audit.recordFor(
            tx,
            caller.context,
            'attendance.punch_recorded_by_hr',
            { type: 'employee', id: employee.id },
            {
              punchId,
              at: at.toISOString(),
              direction: input.direction,
              method: 'hr',
              reason: input.reason,
            },
          );
          return { punchId, employee, at };
        },
        PUNCH_ISOLATION,
      );
    },
  };
}
