import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import { groupExplanation, type PayslipDocument, type Payslips } from './payslips.js';
import { monthName, payslipPdf } from './payslip-pdf.js';

/** Anyone signed in, for their own record only (the self scope); an account without an employee record has no payslips. */
const SELF = { access: { signedIn: true, scope: 'self' } } as const;
/** HR: any employee's payslip of an approved run (finance sees totals elsewhere, never a person's pay). */
const HR = { access: { allow: ROLE_GROUPS.payrollAdmins, scope: 'company' } } as const;
const payslipParams = z.object({ payslipId: z.string().uuid('is not a payslip id') });

/** Payslips (issue 18 item 5): the employee's own list, and each payslip as a PDF and as "How was this worked out?". */
export async function payslipRoutes(app: FastifyInstance, options: { payslips: Payslips }): Promise<void> {
  const { payslips } = options;

  async function sendPdf(reply: FastifyReply, payslip: PayslipDocument) {
    const name = `payslip-${payslip.employee.code}-${payslip.month}`.replace(/[^A-Za-z0-9-]+/g, '_');
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${name}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(await payslipPdf(payslip));
  }

  function explanationPage(reply: FastifyReply, payslip: PayslipDocument, links: { back: string; pdf: string }) {
    return reply.view('payroll/payslip-explanation.njk', {
      title: `How was this worked out? ${monthName(payslip.month)}`,
      payslip,
      monthName: monthName(payslip.month),
      groups: groupExplanation(payslip.breakdown.explanation),
      links,
    });
  }

  app.get('/payslips', { config: SELF }, async (request, reply) => {
    const own = await payslips.listOwn(callerOf(request));
    return reply.view('payroll/payslips.njk', { title: 'My payslips', ...own, payslips: own.payslips.map((p) => ({ ...p, monthName: monthName(p.month) })) });
  });

  app.get('/payslips/:payslipId/pdf', { config: SELF }, async (request, reply) => {
    const { payslipId } = parseInput(payslipParams, request.params);
    return sendPdf(reply, await payslips.own(callerOf(request), payslipId));
  });

  app.get('/payslips/:payslipId/explanation', { config: SELF }, async (request, reply) => {
    const { payslipId } = parseInput(payslipParams, request.params);
    return explanationPage(reply, await payslips.own(callerOf(request), payslipId), { back: '/payslips', pdf: `/payslips/${payslipId}/pdf` });
  });

  app.get('/payroll/payslips/:payslipId/pdf', { config: HR }, async (request, reply) => {
    const { payslipId } = parseInput(payslipParams, request.params);
    return sendPdf(reply, await payslips.forHr(callerOf(request), payslipId, 'pdf'));
  });

  app.get('/payroll/payslips/:payslipId/explanation', { config: HR }, async (request, reply) => {
    const { payslipId } = parseInput(payslipParams, request.params);
    const payslip = await payslips.forHr(callerOf(request), payslipId, 'explanation');
    return explanationPage(reply, payslip, { back: `/payroll/runs/${payslip.runId}`, pdf: `/payroll/payslips/${payslipId}/pdf` });
  });
}
