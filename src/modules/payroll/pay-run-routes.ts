import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { istMonth } from '../../platform/clock/index.js';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import { monthField } from './month-field.js';
import type { PayRuns } from './pay-runs.js';

const HR = { access: { allow: ROLE_GROUPS.payrollAdmins, scope: 'company' } } as const;
const runParams = z.object({ runId: z.string().uuid('is not a pay run id') });
const monthForm = z.object({ month: monthField() });
const checkQuery = z.object({ month: monthField().optional() });

/** Pay runs: the list with a start form, a run's page (progress, checks, register), approval. Owner and HR admins. */
export async function payRunRoutes(app: FastifyInstance, options: { payRuns: PayRuns }): Promise<void> {
  const { payRuns } = options;

  /** The list and start form; `?month=` adds that month's pre-run check, before anything is run. */
  app.get('/payroll/runs', { config: HR }, async (request, reply) => {
    const caller = callerOf(request);
    const { month } = parseInput(checkQuery, request.query);
    const checks = month ? await payRuns.preRunCheck(caller, month) : null;
    return reply.view('payroll/runs.njk', { title: 'Pay runs', runs: await payRuns.listRuns(caller), month: month ?? istMonth(app.clock.now()), checks });
  });

  app.post('/payroll/runs', { config: HR }, async (request, reply) => {
    const { month } = parseInput(monthForm, request.body);
    const runId = await payRuns.startRun(callerOf(request), month);
    reply.flash('success', `Pay run for ${month} started.`);
    return reply.redirect(`/payroll/runs/${runId}`, 303);
  });

  app.get('/payroll/runs/:runId', { config: HR }, async (request, reply) => {
    const { runId } = parseInput(runParams, request.params);
    const page = await payRuns.runPage(callerOf(request), runId);
    return reply.view('payroll/run.njk', { title: `Pay run ${page.run.month}`, ...page });
  });

  app.post('/payroll/runs/:runId/approve', { config: HR }, async (request, reply) => {
    const { runId } = parseInput(runParams, request.params);
    await payRuns.approveRun(callerOf(request), runId);
    reply.flash('success', 'Pay run approved.');
    return reply.redirect(`/payroll/runs/${runId}`, 303);
  });
}
