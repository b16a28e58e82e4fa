/**
 * Regularisation requests (issue 17 item 6; kiosk.md "Daily attendance"): an employee asks to correct one
 * day's first in and last out (a missed punch); their department head or HR approves or rejects it with a
 * note. Once approved it replaces the day's punches in `month.ts` (through `approvedRegularisations`).
 */
import { addDays, istInstant, type IsoDate } from '../../platform/clock/index.js';
import { duplicateKeyOf, inTransaction } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import { employeesInScope } from '../people/index.js';
import { checkRegularisation, dayBoundaryMinutes } from './rules/days.js';
import { dayKind, minutesOfDay, type ShiftRules } from './rules/shift.js';
import * as store from './regularisation-store.js';
import { shiftRulesOf } from './shift-store.js';
import type { DaysDeps } from './shift-settings.js';

export interface RegularisationInput {
  date: IsoDate;
  /** IST wall clock, HH:MM. */
  firstIn: string;
  lastOut: string;
  reason: string;
}

export type Decision = { decision: 'approve' | 'reject'; note: string | null };

/** How many decided requests the approver's page shows under the queue. */
const RECENT_DECISIONS = 20;
const QUEUE_LIMIT = 500;

/**
 * The instant an IST wall-clock time names within attendance day `date`: each time of day occurs exactly once
 * in a day's window. For a day shift that is on `date` itself; for a night shift (22:00–06:00, window 14:00 to
 * 14:00) a time before the window's start is the next morning, so "out 06:10" on the 1st is 06:10 on the 2nd.
 */
export function instantInDay(date: IsoDate, time: string, rules: Pick<ShiftRules, 'start' | 'end'>): Date {
  const minutes = minutesOfDay(time);
  return minutes >= dayBoundaryMinutes(rules) ? istInstant(date, minutes) : istInstant(addDays(date, 1), minutes);
}

export function regularisationUseCases(deps: DaysDeps) {
  const { db, audit } = deps;
  const target = (id: string) => ({ type: 'regularisation', id });

  return {
    /** The signed-in employee asks for one of their own days (the route declares the self scope). */
    async requestRegularisation(caller: Caller, input: RegularisationInput): Promise<string> {
      const [self] = caller.scope.kind === 'self' ? await employeesInScope(db, caller.tenantId, caller.scope) : [];
      if (!self) throw new Invalid('date', 'your account is not linked to an employee record');
      if (input.date < self.dateOfJoining || (self.dateOfLeaving && input.date > self.dateOfLeaving)) throw new Invalid('date', 'is outside your employment');
      const rules = await shiftRulesOf(db, caller.tenantId);
      const kind = dayKind(input.date, rules);
      if (kind.kind !== 'working')
        throw new Invalid('date', `is ${kind.kind === 'holiday' ? `a holiday (${kind.name})` : 'a weekly off'}: there is nothing to correct`);
      const firstIn = instantInDay(input.date, input.firstIn, rules);
      const lastOut = instantInDay(input.date, input.lastOut, rules);
      const check = checkRegularisation({ date: input.date, firstIn, lastOut, rules, now: deps.clock.now() });
      if (!check.ok) throw new Invalid(check.field, check.message);
      const id = newId();
      await inTransaction(db, async (tx) => {
        await store.insertRegularisation(tx, caller.tenantId, {
          id,
          employeeId: self.id,
          date: input.date,
          firstIn,
          lastOut,
          reason: input.reason,
          requestedBy: caller.viewer.userId,
        });
        await audit.recordFor(tx, caller.context, 'attendance.regularisation_requested', target(id), {
          employeeId: self.id,
          date: input.date,
          firstIn: firstIn.toISOString(),
          lastOut: lastOut.toISOString(),
          reason: input.reason,
        });
      }).catch((error: unknown) => {
        if (duplicateKeyOf(error) === 'regularisations_pending_uq') throw new Conflict(`You already have a pending request for ${input.date}`);
        throw error;
      });
      return id;
    },

    /** Pending requests of the caller's team (a head: the departments they head; HR: the company), and recent decisions. */
    async queue(caller: Caller) {
      const [pending, decided] = await Promise.all([
        store.regularisationsInScope(db, caller.tenantId, caller.scope, 'pending', QUEUE_LIMIT),
        Promise.all([
          store.regularisationsInScope(db, caller.tenantId, caller.scope, 'approved', RECENT_DECISIONS),
          store.regularisationsInScope(db, caller.tenantId, caller.scope, 'rejected', RECENT_DECISIONS),
        ]).then(([approved, rejected]) =>
          [...approved, ...rejected]
            .sort((a, b) => (b.regularisation.decidedAt?.getTime() ?? 0) - (a.regularisation.decidedAt?.getTime() ?? 0))
            .slice(0, RECENT_DECISIONS),
        ),
      ]);
      return { pending, decided, ownEmployeeId: caller.viewer.employeeId };
    },

    /** A request in the caller's scope, or NotFound (another department's or company's looks the same as none). */
    async openRegularisation(caller: Caller, id: string) {
      const row = await store.regularisationInScope(db, caller.tenantId, caller.scope, id);
      if (!row) throw new NotFound('No such regularisation request');
      return row;
    },

    /**
     * Approves or rejects a pending request, audited. Outside the caller's scope (another department, another
     * company) it does not exist; one's own request is never one's own to decide; a decided one stays decided.
     */
    async decide(caller: Caller, id: string, decision: Decision) {
      return inTransaction(db, async (tx) => {
        const row = await store.regularisationInScope(tx, caller.tenantId, caller.scope, id, { lock: true });
        if (!row) throw new NotFound('No such regularisation request');
        const request = row.regularisation;
        if (request.employeeId === caller.viewer.employeeId) throw new Forbidden('You cannot decide your own regularisation request');
        if (request.status !== 'pending') throw new Conflict(`This request was already ${request.status}`);
        if (decision.decision === 'reject' && !decision.note) throw new Invalid('note', 'must say why the request is rejected');
        const status = decision.decision === 'approve' ? 'approved' : 'rejected';
        const at = deps.clock.now();
        if (
          !(await store.decideRegularisation(tx, caller.tenantId, id, { status, decidedBy: caller.viewer.userId, decidedAt: at, decisionNote: decision.note }))
        )
          throw new Conflict('This request was already decided');
        await audit.recordFor(tx, caller.context, `attendance.regularisation_${status}`, target(id), {
          employeeId: request.employeeId,
          date: request.date,
          firstIn: request.firstIn.toISOString(),
          lastOut: request.lastOut.toISOString(),
          note: decision.note,
        });
        return { ...row, status };
      });
    },
  };
}
