import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import { viewerOf } from '../access/index.js';
import { audit } from '../audit/index.js';
import { duplicateKeyOf, inTransaction } from '../../platform/db/client.js';
import { meta } from './routes.js';
import * as store from './store.js';
import type { People } from './service.js';

const HR = { access: { allow: ['owner', 'hr_admin'] as const } };
const departmentForm = z.object({
  name: z.string().trim().min(1, 'is required').max(120, 'must be at most 120 characters'),
  costCentre: z.preprocess((v) => (v === '' ? null : v), z.string().trim().max(40, 'must be at most 40 characters').nullable().optional().transform((v) => v ?? null)),
});

/** Departments: name, cost centre (finance's reports group by it) and head user(s). */
export async function departmentRoutes(app: FastifyInstance, options: { people: People }): Promise<void> {
  const db = app.database.db;

  app.get('/departments', { config: HR }, async (request, reply) => {
    const viewer = viewerOf(request);
    const [departments, heads, users] = await Promise.all([
      options.people.listDepartments(viewer),
      store.listDepartmentHeads(db, viewer.tenantId),
      app.identity.listUsers(viewer),
    ]);
    const counts = await Promise.all(departments.map((d) => store.countEmployees(db, viewer.tenantId, d.id)));
    return reply.view('people/departments.njk', {
      title: 'Departments',
      departments: departments.map((d, i) => ({ ...d, people: counts[i], heads: heads.filter((h) => h.departmentId === d.id).map((h) => users.find((u) => u.id === h.userId)?.email ?? '?') })),
      headCandidates: users.filter((u) => u.role === 'dept_head' && u.status === 'active'),
    });
  });

  app.post('/departments', { config: HR }, async (request, reply) => {
    const viewer = viewerOf(request);
    const input = parseInput(departmentForm, request.body);
    await inTransaction(db, async (tx) => {
      const id = await store.insertDepartment(tx, viewer.tenantId, input);
      await audit.record(tx, { tenantId: viewer.tenantId, actor: { kind: 'user', id: viewer.userId }, action: 'department.created', target: { type: 'department', id }, ...meta(request), details: input }, app.now());
    }).catch((error: unknown) => {
      if (duplicateKeyOf(error) !== undefined) throw new Invalid('name', 'is already a department');
      throw error;
    });
    reply.flash('success', `Department ${input.name} added.`);
    return reply.redirect('/departments', 303);
  });

  app.post('/departments/:departmentId', { config: HR }, async (request, reply) => {
    const viewer = viewerOf(request);
    const { departmentId } = parseInput(z.object({ departmentId: z.string().uuid('is not a department id') }), request.params);
    const before = await store.findDepartment(db, viewer.tenantId, departmentId);
    if (!before) throw new NotFound('No such department');
    const input = parseInput(departmentForm.extend({ heads: z.union([z.string(), z.array(z.string())]).optional() }), request.body);
    const headIds = [input.heads ?? []].flat().filter(Boolean);
    const users = await app.identity.listUsers(viewer);
    for (const id of headIds) {
      if (!users.some((u) => u.id === id && u.role === 'dept_head')) throw new Invalid('heads', 'must be department heads of your company');
    }
    await inTransaction(db, async (tx) => {
      await store.updateDepartment(tx, viewer.tenantId, departmentId, { name: input.name, costCentre: input.costCentre });
      await store.setDepartmentHeads(tx, viewer.tenantId, departmentId, headIds);
      await audit.record(tx, {
        tenantId: viewer.tenantId,
        actor: { kind: 'user', id: viewer.userId },
        action: 'department.updated',
        target: { type: 'department', id: departmentId },
        ...meta(request),
        details: { before: { name: before.name, costCentre: before.costCentre }, after: { name: input.name, costCentre: input.costCentre }, heads: headIds },
      }, app.now());
    }).catch((error: unknown) => {
      if (duplicateKeyOf(error) !== undefined) throw new Invalid('name', 'is already a department');
      throw error;
    });
    reply.flash('success', 'Department saved.');
    return reply.redirect('/departments', 303);
  });
}
