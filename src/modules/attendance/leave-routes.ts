import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, groupHas, ROLE_GROUPS } from '../access/index.js';
import type { Leave } from './leave-service.js';
import { leaveKinds } from './rules/leave.js';

const SELF = { access: { signedIn: true, scope: 'self' } } as const;
/** Approvers: HR for the company, a department head for the departments they head. */
const APPROVERS = { access: { allow: ROLE_GROUPS.peopleViewers, scope: 'department' } } as const;
const HR = { access: { allow: ROLE_GROUPS.peopleAdmins, scope: 'company' } } as const;

const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = (field: string, max: number) =>
  z.preprocess(
    blankToNull,
    z
      .string({ error: `${field} must be text` })
      .trim()
      .max(max, `${field} must be at most ${max} characters`)
      .nullable()
      .default(null),
  );
// Shape only: checkLeaveRequest checks the dates, halves and type and names the field it refuses.
const applyInput = z.object({
  leaveType: z.string({ error: 'leaveType is required' }).trim().max(20, 'leaveType is at most 20 characters'),
  from: z.string({ error: 'from is required' }).trim().max(10, 'from must be a date YYYY-MM-DD'),
  to: z.string({ error: 'to is required' }).trim().max(10, 'to must be a date YYYY-MM-DD'),
  fromHalf: z.preprocess(blankToNull, z.string().max(20).nullable().default(null)),
  toHalf: z.preprocess(blankToNull, z.string().max(20).nullable().default(null)),
  reason: text('reason', 500),
});
const applicationId = z.string({ error: 'applicationId is required' }).uuid('is not a leave application id');
const cancelInput = z.object({ applicationId });
const applicationParams = z.object({ applicationId });
const decisionInput = z.object({
  decision: z.enum(['approve', 'reject'], { error: 'decision must be approve or reject' }),
  note: text('note', 500),
});
const leaveYearInput = z.object({
  leaveYear: z.string({ error: 'leaveYear is required' }),
  // An unticked checkbox sends nothing.
  sandwich: z.preprocess((v) => v === 'on' || v === 'true', z.boolean()),
});
const days = (field: string) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${field} must be a number of days` })
      .finite(`${field} must be a number of days`)
      .optional(),
  );
const typeInput = z.object({
  originalCode: z.preprocess(blankToNull, z.string().max(20).nullable().default(null)),
  code: z
    .string({ error: 'code is required' })
    .trim()
    .max(20, 'code must be 1–20 capital letters, digits or _')
    .transform((v) => v.toUpperCase()),
  name: z.string({ error: 'name is required' }),
  kind: z.string({ error: `kind must be one of ${leaveKinds.join(', ')}` }),
  credit: z.preprocess(blankToUndefined, z.string().optional()),
  yearlyQuota: days('yearlyQuota'),
  carryForwardCap: days('carryForwardCap'),
});
const removeTypeInput = z.object({ code: z.string({ error: 'code is required' }).max(20) });

/** Leave: the employee's page, the approvers' queue, HR's policy. */
export async function leaveRoutes(app: FastifyInstance, options: { leave: Leave }): Promise<void> {
  const { leave } = options;

  app.get('/leave', { config: SELF }, async (request, reply) => {
    const caller = callerOf(request);
    return reply.view('attendance/leave.njk', {
      title: 'My leave',
      own: await leave.ownLeave(caller),
      mayApprove: groupHas('peopleViewers', caller.viewer.role),
      maySetPolicy: groupHas('peopleAdmins', caller.viewer.role),
    });
  });

  app.post('/leave', { config: SELF }, async (request, reply) => {
    await leave.apply(callerOf(request), parseInput(applyInput, request.body));
    reply.flash('success', 'Leave applied for: your approver will decide it.');
    return reply.redirect('/leave', 303);
  });

  app.post('/leave/cancel', { config: SELF }, async (request, reply) => {
    const input = parseInput(cancelInput, request.body);
    await leave.cancel(callerOf(request), input.applicationId);
    reply.flash('success', 'Leave application cancelled.');
    return reply.redirect('/leave', 303);
  });

  app.get('/leave/approvals', { config: APPROVERS }, async (request, reply) =>
    reply.view('attendance/leave-approvals.njk', { title: 'Leave approvals', pending: await leave.approvals(callerOf(request)) }),
  );

  app.post('/leave/approvals/:applicationId', { config: APPROVERS }, async (request, reply) => {
    const caller = callerOf(request);
    const { applicationId } = parseInput(applicationParams, request.params);
    await leave.application(caller, applicationId); // outside the scope or company: 404 before the form is read
    const decision = parseInput(decisionInput, request.body);
    await leave.decide(caller, applicationId, decision);
    reply.flash('success', decision.decision === 'approve' ? 'Leave approved.' : 'Leave rejected.');
    return reply.redirect('/leave/approvals', 303);
  });

  app.get('/leave/policy', { config: HR }, async (request, reply) =>
    reply.view('attendance/leave-policy.njk', { title: 'Leave policy', policy: await leave.policy(callerOf(request)), kinds: leaveKinds }),
  );

  app.post('/leave/policy', { config: HR }, async (request, reply) => {
    await leave.setLeaveYear(callerOf(request), parseInput(leaveYearInput, request.body));
    reply.flash('success', 'Leave year saved.');
    return reply.redirect('/leave/policy', 303);
  });

  app.post('/leave/policy/types', { config: HR }, async (request, reply) => {
    const input = parseInput(typeInput, request.body);
    await leave.saveType(callerOf(request), input);
    reply.flash('success', `Leave type ${input.code} saved.`);
    return reply.redirect('/leave/policy', 303);
  });

  app.post('/leave/policy/types/remove', { config: HR }, async (request, reply) => {
    const { code } = parseInput(removeTypeInput, request.body);
    await leave.removeType(callerOf(request), code);
    reply.flash('success', `Leave type ${code} removed.`);
    return reply.redirect('/leave/policy', 303);
  });
}
