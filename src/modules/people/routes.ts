import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { Invalid } from '../../platform/errors.js';
import { viewerOf, type Viewer } from '../access/index.js';
import { employeeInput } from './input.js';
import { SENSITIVE_FIELDS, GENDERS, type Employee } from './schema.js';
import { INDIAN_STATES } from './rules/identifiers.js';
import { csvRoutes } from './csv-routes.js';
import { departmentRoutes } from './department-routes.js';
import type { People } from './service.js';

const HR = ['owner', 'hr_admin'] as const;
const employeeParams = z.object({ employeeId: z.string().uuid('is not an employee id') });
const LIST_FIELDS = ['pan', 'bankAccount'] as const;
const FIELD_LABELS = { pan: 'PAN', aadhaarLast4: 'Aadhaar (last 4)', bankAccount: 'Bank account' } as const;

export const meta = (request: FastifyRequest) => ({ ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') });

/** Which fields a role sees: department heads never see sensitive fields, not even masked. */
export const seesSensitive = (viewer: Viewer) => viewer.role === 'owner' || viewer.role === 'hr_admin';

export async function peopleRoutes(app: FastifyInstance, options: { people: People }): Promise<void> {
  const { people } = options;

  async function formContext(viewer: Viewer) {
    return {
      departments: await people.listDepartments(viewer),
      states: Object.entries(INDIAN_STATES).map(([code, name]) => ({ code, name })),
      genders: GENDERS,
    };
  }

  async function validated(viewer: Viewer, body: unknown) {
    const input = parseInput(employeeInput, body);
    if (input.departmentId && !(await people.listDepartments(viewer)).some((d) => d.id === input.departmentId)) {
      throw new Invalid('departmentId', 'is not a department of your company');
    }
    return input;
  }

  app.get('/employees', { config: { access: { allow: [...HR, 'dept_head'], scope: 'department' } } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const query = parseInput(
      z.object({
        q: z.string().trim().max(100, 'must be at most 100 characters').optional(),
        department: z.preprocess((v) => (v === '' ? undefined : v), z.string().uuid('is not a department').optional()),
        page: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(10_000).default(1),
      }),
      request.query,
    );
    const result = await people.list(viewer, { search: query.q, departmentId: query.department, page: query.page });
    const sensitive = seesSensitive(viewer);
    // The list shows PAN and account only: decrypt just those (the page bench counts every one).
    const rows = await Promise.all(result.rows.map(async (employee) => ({ employee, masked: sensitive ? await people.masked(employee, LIST_FIELDS) : undefined })));
    return reply.view('people/list.njk', {
      title: viewer.role === 'dept_head' ? 'My team' : 'Employees',
      rows,
      sensitive,
      total: result.total,
      page: query.page,
      pages: result.pages,
      q: query.q ?? '',
      department: query.department ?? '',
      departments: await people.listDepartments(viewer),
      mayEdit: sensitive,
    });
  });

  app.get('/employees/new', { config: { access: { allow: HR } } }, async (request, reply) =>
    reply.view('people/form.njk', { title: 'New employee', values: {}, ...(await formContext(viewerOf(request))) }),
  );

  app.post('/employees', { config: { access: { allow: HR } } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const id = await people.create(viewer, await validated(viewer, request.body), meta(request));
    reply.flash('success', 'Employee added.');
    return reply.redirect(`/employees/${id}`, 303);
  });

  app.get('/employees/:employeeId', { config: { access: { allow: [...HR, 'dept_head'], scope: 'department' } } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const employee = await people.get(viewer, employeeId);
    return reply.view('people/detail.njk', await detailContext(viewer, employee));
  });

  async function detailContext(viewer: Viewer, employee: Employee, extra: Record<string, unknown> = {}) {
    const departments = await people.listDepartments(viewer);
    return {
      title: employee.fullName,
      employee,
      departmentName: departments.find((d) => d.id === employee.departmentId)?.name ?? '—',
      stateName: INDIAN_STATES[employee.workState] ?? employee.workState,
      sensitive: seesSensitive(viewer) ? await people.masked(employee) : undefined,
      fieldLabels: FIELD_LABELS,
      mayEdit: seesSensitive(viewer),
      ...extra,
    };
  }

  app.get('/employees/:employeeId/edit', { config: { access: { allow: HR } } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const employee = await people.get(viewer, employeeId);
    return reply.view('people/form.njk', { title: `Edit ${employee.fullName}`, values: employee, editing: true, masked: await people.masked(employee), ...(await formContext(viewer)) });
  });

  app.post('/employees/:employeeId', { config: { access: { allow: HR } } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const before = await people.get(viewer, employeeId); // 404 before validation: ids of other companies say nothing
    await people.update(viewer, before, await validated(viewer, request.body), meta(request));
    reply.flash('success', 'Employee updated.');
    return reply.redirect(`/employees/${employeeId}`, 303);
  });

  app.post('/employees/:employeeId/reveal', { config: { access: { allow: HR } } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const employee = await people.get(viewer, employeeId); // another company's id is a 404 before anything else
    const input = parseInput(
      z.object({
        field: z.enum(SENSITIVE_FIELDS, { message: `must be one of ${SENSITIVE_FIELDS.join(', ')}` }),
        reason: z.string().trim().min(5, 'must say why you need to see it (at least 5 characters)').max(500, 'must be at most 500 characters'),
      }),
      request.body,
    );
    const value = await people.reveal(viewer, employee, input.field, input.reason, meta(request));
    return reply.view('people/detail.njk', await detailContext(viewer, employee, { revealed: { field: input.field, label: FIELD_LABELS[input.field], value } }));
  });

  app.get('/me', { config: { access: { signedIn: true } } }, async (request, reply) => {
    const viewer = viewerOf(request);
    if (!viewer.employeeId) return reply.view('people/me.njk', { title: 'My profile', employee: null });
    const employee = await people.get({ ...viewer, role: 'employee' }, viewer.employeeId);
    return reply.view('people/me.njk', { title: 'My profile', employee, masked: await people.masked(employee), fieldLabels: FIELD_LABELS, stateName: INDIAN_STATES[employee.workState] });
  });

  app.post('/me/corrections', { config: { access: { signedIn: true } } }, async (request, reply) => {
    const input = parseInput(
      z.object({
        field: z.string().trim().min(1, 'is required').max(40, 'must be at most 40 characters'),
        message: z.string().trim().min(5, 'must say what is wrong (at least 5 characters)').max(1000, 'must be at most 1000 characters'),
      }),
      request.body,
    );
    await people.requestCorrection(viewerOf(request), input, meta(request));
    reply.flash('success', 'Your correction request has been sent to HR.');
    return reply.redirect('/me', 303);
  });

  await app.register(csvRoutes, { people });
  await app.register(departmentRoutes, { people });
}
