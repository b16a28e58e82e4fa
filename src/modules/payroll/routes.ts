import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import { monthField } from './month-field.js';
import { ALLOWANCE_NAME, structureTermsSchema } from './rules/structure.js';
import { PF_MODES } from './schema.js';
import type { SalaryStructures } from './structures.js';

const HR = { access: { allow: ROLE_GROUPS.payrollAdmins, scope: 'company' } } as const;
const employeeParams = z.object({ employeeId: z.string().uuid('is not an employee id') });
const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
const asList = (v: unknown) => (v === undefined ? [] : [v].flat());

/**
 * The salary form: up to a few named allowances as parallel `allowanceName` / `allowanceAmount` fields
 * (blank rows ignored), turned into the terms rules/structure.ts validates.
 */
const structureForm = z
  .object({
    effectiveMonth: monthField(),
    templateId: z.string().uuid('is not a salary template'),
    pfMode: z.enum(PF_MODES, { error: 'must be restricted or actual' }).default('restricted'),
    annualCtc: z.unknown(),
    basicOverride: z.preprocess(blankToNull, z.unknown()),
    hraOverride: z.preprocess(blankToNull, z.unknown()),
    da: z.preprocess((v) => (v === '' ? undefined : v), z.unknown()),
    allowanceName: z.preprocess(asList, z.array(z.string().trim())),
    allowanceAmount: z.preprocess(asList, z.array(z.string().trim())),
  })
  .transform((form, ctx) => {
    const allowances: Record<string, string> = {};
    form.allowanceName.forEach((name, i) => {
      const amount = form.allowanceAmount[i] ?? '';
      if (!name && !amount) return;
      if (!ALLOWANCE_NAME.test(name))
        ctx.addIssue({ code: 'custom', path: ['allowanceName'], message: `"${name}" is not an allowance name (letters, digits, spaces)` });
      else if (name in allowances) ctx.addIssue({ code: 'custom', path: ['allowanceName'], message: `${name} is listed twice` });
      else allowances[name] = amount;
    });
    const terms = structureTermsSchema.safeParse({
      annualCtc: form.annualCtc,
      basicOverride: form.basicOverride,
      hraOverride: form.hraOverride,
      da: form.da,
      allowances,
    });
    if (!terms.success) {
      for (const issue of terms.error.issues) ctx.addIssue({ code: 'custom', path: [String(issue.path[0])], message: issue.message.replace(/^\w+ /, '') });
      return z.NEVER;
    }
    return { effectiveMonth: form.effectiveMonth, templateId: form.templateId, pfMode: form.pfMode, terms: terms.data };
  });

/** Salary templates and each employee's salary structures (owner and HR admins). */
export async function payrollRoutes(app: FastifyInstance, options: { structures: SalaryStructures }): Promise<void> {
  const { structures } = options;

  app.get('/payroll/templates', { config: HR }, async (request, reply) =>
    reply.view('payroll/templates.njk', { title: 'Salary templates', templates: await structures.listTemplates(callerOf(request)) }),
  );

  app.post('/payroll/templates', { config: HR }, async (request, reply) => {
    await structures.createTemplate(callerOf(request), request.body);
    reply.flash('success', 'Salary template added.');
    return reply.redirect('/payroll/templates', 303);
  });

  app.get('/payroll/salaries', { config: HR }, async (request, reply) =>
    reply.view('payroll/salaries.njk', { title: 'Salaries', employees: await structures.salaryOverview(callerOf(request)) }),
  );

  app.get('/payroll/salaries/:employeeId', { config: HR }, async (request, reply) => {
    const { employeeId } = parseInput(employeeParams, request.params);
    return reply.view('payroll/salary.njk', { title: 'Salary', ...(await structures.salaryOf(callerOf(request), employeeId)) });
  });

  app.post('/payroll/salaries/:employeeId', { config: HR }, async (request, reply) => {
    const caller = callerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    await structures.assertEmployee(caller, employeeId);
    const input = parseInput(structureForm, request.body);
    await structures.setStructure(caller, employeeId, input);
    reply.flash('success', `Salary structure saved from ${input.effectiveMonth}.`);
    return reply.redirect(`/payroll/salaries/${employeeId}`, 303);
  });
}
