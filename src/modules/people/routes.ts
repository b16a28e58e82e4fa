import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, can, ROLE_GROUPS, type Caller } from '../access/index.js';
import { employeeInput } from './input.js';
import { SENSITIVE_FIELDS, GENDERS, type Employee } from './schema.js';
import { INDIAN_STATES } from './rules/identifiers.js';
import { csvRoutes } from './csv-routes.js';
import { departmentRoutes } from './department-routes.js';
import type { People } from './service.js';

const HR = { access: { allow: ROLE_GROUPS.peopleAdmins, scope: 'company' } } as const;
const TEAM = { access: { allow: ROLE_GROUPS.peopleViewers, scope: 'department' } } as const;
const SELF = { access: { signedIn: true, scope: 'self' } } as const;
const employeeParams = z.object({ employeeId: z.string().uuid('is not an employee id') });
// Built once: making a zod schema costs about 0.4 ms of CPU, parsing with it a microsecond.
const listQuery = z.object({
  q: z.string().trim().max(100, 'must be at most 100 characters').optional(),
  department: z.preprocess((v) => (v === '' ? undefined : v), z.string().uuid('is not a department').optional()),
  page: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(10_000).default(1),
});
const LIST_FIELDS = ['pan', 'bankAccount'] as const;
const FIELD_LABELS = { pan: 'PAN', aadhaarLast4: 'Aadhaar (last 4)', bankAccount: 'Bank account' } as const;

export async function peopleRoutes(app: FastifyInstance, options: { people: People }): Promise<void> {
  const { people } = options;

  async function formContext(caller: Caller) {
    return {
      departments: await people.listDepartments(caller),
      states: Object.entries(INDIAN_STATES).map(([code, name]) => ({ code, name })),
      genders: GENDERS,
    };
  }

  app.get('/employees', { config: TEAM }, async (request, reply) => {
    const caller = callerOf(request);
    const query = parseInput(listQuery, request.query);
    const [result, departments] = await Promise.all([
      people.listSummaries(caller, { search: query.q, departmentId: query.department, page: query.page }),
      people.departmentChoices(caller),
    ]);
    // Department heads never see sensitive fields, not even masked.
    const sensitive = can(caller.viewer, 'employee.seeSensitive');
    // The list shows PAN and account only: decrypt just those (the page bench counts every one).
    const rows = await Promise.all(
      result.rows.map(async (employee) => ({ employee, masked: sensitive ? await people.masked(employee, LIST_FIELDS) : undefined })),
    );
    return reply.view('people/list.njk', {
      title: can(caller.viewer, 'employee.seeCompany') ? 'Employees' : 'My team',
      rows,
      sensitive,
      total: result.total,
      page: query.page,
      pages: result.pages,
      q: query.q ?? '',
      department: query.department ?? '',
      departments,
      mayEdit: can(caller.viewer, 'employee.edit'),
    });
  });

  app.get('/employees/new', { config: HR }, async (request, reply) =>
    reply.view('people/form.njk', { title: 'New employee', values: {}, ...(await formContext(callerOf(request))) }),
  );

  app.post('/employees', { config: HR }, async (request, reply) => {
    const id = await people.create(callerOf(request), parseInput(employeeInput, request.body));
    reply.flash('success', 'Employee added.');
    return reply.redirect(`/employees/${id}`, 303);
  });

  app.get('/employees/:employeeId', { config: TEAM }, async (request, reply) => {
    const caller = callerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const employee = await people.get(caller, employeeId);
    return reply.view('people/detail.njk', await detailContext(caller, employee));
  });

  async function detailContext(caller: Caller, employee: Employee, extra: Record<string, unknown> = {}) {
    // Only a name to show: the list every list view already keeps in memory serves.
    const departments = await people.departmentChoices(caller);
    return {
      title: employee.fullName,
      employee,
      departmentName: departments.find((d) => d.id === employee.departmentId)?.name ?? '—',
      stateName: INDIAN_STATES[employee.workState] ?? employee.workState,
      sensitive: can(caller.viewer, 'employee.seeSensitive') ? await people.masked(employee) : undefined,
      fieldLabels: FIELD_LABELS,
      mayEdit: can(caller.viewer, 'employee.edit'),
      ...extra,
    };
  }

  app.get('/employees/:employeeId/edit', { config: HR }, async (request, reply) => {
    const caller = callerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const employee = await people.get(caller, employeeId);
    return reply.view('people/form.njk', {
      title: `Edit ${employee.fullName}`,
      values: employee,
      editing: true,
      masked: await people.masked(employee),
      ...(await formContext(caller)),
    });
  });

  app.post('/employees/:employeeId', { config: HR }, async (request, reply) => {
    const caller = callerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const before = await people.get(caller, employeeId); // 404 before validation: ids of other companies say nothing
    await people.update(caller, before, parseInput(employeeInput, request.body));
    reply.flash('success', 'Employee updated.');
    return reply.redirect(`/employees/${employeeId}`, 303);
  });

  app.post('/employees/:employeeId/reveal', { config: HR }, async (request, reply) => {
    const caller = callerOf(request);
    const { employeeId } = parseInput(employeeParams, request.params);
    const employee = await people.get(caller, employeeId); // another company's id is a 404 before anything else
    const input = parseInput(
      z.object({
        field: z.enum(SENSITIVE_FIELDS, { message: `must be one of ${SENSITIVE_FIELDS.join(', ')}` }),
        reason: z.string().trim().min(5, 'must say why you need to see it (at least 5 characters)').max(500, 'must be at most 500 characters'),
      }),
      request.body,
    );
    const value = await people.reveal(caller, employee, input.field, input.reason);
    return reply.view(
      'people/detail.njk',
      await detailContext(caller, employee, { revealed: { field: input.field, label: FIELD_LABELS[input.field], value } }),
    );
  });

  app.get('/me', { config: SELF }, async (request, reply) => {
    const employee = await people.own(callerOf(request));
    if (!employee) return reply.view('people/me.njk', { title: 'My profile', employee: null });
    return reply.view('people/me.njk', {
      title: 'My profile',
      employee,
      masked: await people.masked(employee),
      fieldLabels: FIELD_LABELS,
      stateName: INDIAN_STATES[employee.workState],
    });
  });

  app.post('/me/corrections', { config: SELF }, async (request, reply) => {
    const input = parseInput(
      z.object({
        field: z.string().trim().min(1, 'is required').max(40, 'must be at most 40 characters'),
        message: z.string().trim().min(5, 'must say what is wrong (at least 5 characters)').max(1000, 'must be at most 1000 characters'),
      }),
      request.body,
    );
    await people.requestCorrection(callerOf(request), input);
    reply.flash('success', 'Your correction request has been sent to HR.');
    return reply.redirect('/me', 303);
  });

  await app.register(csvRoutes, { people });
  await app.register(departmentRoutes, { people });
}
