import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import type { People } from './service.js';

const HR = { access: { allow: ROLE_GROUPS.peopleAdmins, scope: 'company' } } as const;
const departmentForm = z.object({
  name: z.string().trim().min(1, 'is required').max(120, 'must be at most 120 characters'),
  costCentre: z.preprocess(
    (v) => (v === '' ? null : v),
    z
      .string()
      .trim()
      .max(40, 'must be at most 40 characters')
      .nullable()
      .optional()
      .transform((v) => v ?? null),
  ),
});

/** Departments: name, cost centre and head user(s); the use cases live in departments.ts. */
export async function departmentRoutes(app: FastifyInstance, options: { people: People }): Promise<void> {
  const { people } = options;

  app.get('/departments', { config: HR }, async (request, reply) => {
    return reply.view('people/departments.njk', { title: 'Departments', ...(await people.departmentsOverview(callerOf(request))) });
  });

  app.post('/departments', { config: HR }, async (request, reply) => {
    const input = parseInput(departmentForm, request.body);
    await people.createDepartment(callerOf(request), input);
    reply.flash('success', `Department ${input.name} added.`);
    return reply.redirect('/departments', 303);
  });

  app.post('/departments/:departmentId', { config: HR }, async (request, reply) => {
    const caller = callerOf(request);
    const { departmentId } = parseInput(z.object({ departmentId: z.string().uuid('is not a department id') }), request.params);
    const before = await people.openDepartment(caller, departmentId); // another company's id is a 404 before the form is read
    const input = parseInput(departmentForm.extend({ heads: z.union([z.string(), z.array(z.string())]).optional() }), request.body);
    await people.updateDepartment(caller, before, {
      name: input.name,
      costCentre: input.costCentre,
      headUserIds: [input.heads ?? []].flat().filter(Boolean),
    });
    reply.flash('success', 'Department saved.');
    return reply.redirect('/departments', 303);
  });
}
