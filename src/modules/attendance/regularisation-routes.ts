import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import type { Days } from './days.js';
import { istClock } from './time-text.js';

/** Heads see the departments they head (row scope), HR the company; an employee is refused by role. */
const TEAM = { access: { allow: ROLE_GROUPS.peopleViewers, scope: 'department' } } as const;
const params = z.object({ regularisationId: z.string().uuid('is not a regularisation request id') });
const decisionForm = z.object({
  decision: z.enum(['approve', 'reject'], { error: 'must be approve or reject' }),
  note: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.string().trim().max(500, 'must be at most 500 characters').nullable().default(null),
  ),
});

/** The approver's queue: pending regularisation requests of their team, approve or reject with a note. */
export async function regularisationRoutes(app: FastifyInstance, options: { days: Days }): Promise<void> {
  const { days } = options;

  app.get('/attendance/regularisations', { config: TEAM }, async (request, reply) => {
    const { pending, decided, ownEmployeeId } = await days.queue(callerOf(request));
    const present = (row: (typeof pending)[number]) => ({
      ...row,
      firstInText: istClock(row.regularisation.firstIn, row.regularisation.date),
      lastOutText: istClock(row.regularisation.lastOut, row.regularisation.date),
      own: row.regularisation.employeeId === ownEmployeeId,
    });
    return reply.view('attendance/regularisations.njk', { title: 'Regularisation requests', pending: pending.map(present), decided: decided.map(present) });
  });

  app.post('/attendance/regularisations/:regularisationId/decision', { config: TEAM }, async (request, reply) => {
    const caller = callerOf(request);
    const { regularisationId } = parseInput(params, request.params);
    await days.openRegularisation(caller, regularisationId); // 404 before validation: other teams' ids say nothing
    const decided = await days.decide(caller, regularisationId, parseInput(decisionForm, request.body));
    reply.flash('success', `Request of ${decided.employeeName} for ${decided.regularisation.date} ${decided.status}.`);
    return reply.redirect('/attendance/regularisations', 303);
  });
}
