import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { Invalid } from '../../platform/errors.js';
import { formatDateIST } from '../../platform/views/filters.js';
import { viewerOf } from '../access/index.js';
import { audit } from '../audit/index.js';
import { IMPORT_HEADER, importEmployees, toCsv } from './csv.js';
import { meta } from './routes.js';
import type { People } from './service.js';

const HR = { access: { allow: ['owner', 'hr_admin'] as const } };
const MAX_FILE_BYTES = 2 * 1024 * 1024;

export async function csvRoutes(app: FastifyInstance, options: { people: People }): Promise<void> {
  const { people } = options;
  // Fields (with the CSRF token) and the file land on request.body before the CSRF hook runs.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 5, fieldSize: 1000 } });

  app.get('/employees/import', { config: HR }, async (_request, reply) => reply.view('people/import.njk', { title: 'Import employees', header: IMPORT_HEADER.join(',') }));

  app.post('/employees/import', { config: HR }, async (request, reply) => {
    const body = (request.body ?? {}) as { file?: unknown; mode?: unknown };
    if (!Buffer.isBuffer(body.file) || body.file.length === 0) throw new Invalid('file', 'is required (a CSV file)');
    const csv = body.file.toString('utf8');
    const fields = { mode: String(body.mode ?? 'all') };
    const mode = fields.mode === 'valid' ? 'valid' : 'all';
    const result = await importEmployees(app.database.db, people, viewerOf(request), csv, mode, meta(request), app.now());
    return reply.code(result.rejected.length > 0 && result.imported === 0 ? 422 : 200).view('people/import.njk', { title: 'Import employees', header: IMPORT_HEADER.join(','), result, mode });
  });

  app.get('/employees/export.csv', { config: HR }, async (request, reply) => {
    const viewer = viewerOf(request);
    const departments = new Map((await people.listDepartments(viewer)).map((d) => [d.id, d.name]));
    const rows: string[][] = [];
    for (let page = 1; ; page++) {
      const result = await people.list(viewer, { page });
      for (const e of result.rows) {
        const masked = await people.masked(e);
        const show = (m: (typeof masked)['pan']) => (m?.present ? ('masked' in m ? m.masked : 'unreadable') : '');
        rows.push([e.code, e.fullName, e.email ?? '', e.phone ?? '', departments.get(e.departmentId ?? '') ?? '', e.designation ?? '', e.dateOfJoining, e.dateOfLeaving ?? '', e.workState, e.gender ?? '', show(masked.pan), show(masked.aadhaarLast4), show(masked.bankAccount), e.ifsc ?? '', e.uan ?? '', e.esicNumber ?? '']);
      }
      if (page >= result.pages) break;
    }
    await audit.record(app.database.db, { tenantId: viewer.tenantId, actor: { kind: 'user', id: viewer.userId }, action: 'employee.exported', ...meta(request), details: { rows: rows.length } }, app.now());
    reply.header('content-disposition', `attachment; filename="employees-${formatDateIST(app.now()).replace(/ /g, '-')}.csv"`);
    return reply.type('text/csv; charset=utf-8').send(toCsv(IMPORT_HEADER, rows));
  });
}
