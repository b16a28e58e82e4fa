import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { Invalid } from '../../platform/errors.js';
import { formatDateIST } from '../../platform/views/filters.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import { decodeCsvFile, IMPORT_HEADER } from './csv.js';
import type { People } from './service.js';

const HR = { access: { allow: ROLE_GROUPS.peopleAdmins, scope: 'company' } } as const;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

export async function csvRoutes(app: FastifyInstance, options: { people: People }): Promise<void> {
  const { people } = options;
  // Fields (with the CSRF token) and the file land on request.body before the CSRF hook runs.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 5, fieldSize: 1000 } });

  app.get('/employees/import', { config: HR }, async (_request, reply) =>
    reply.view('people/import.njk', { title: 'Import employees', header: IMPORT_HEADER.join(',') }),
  );

  app.post('/employees/import', { config: HR }, async (request, reply) => {
    const body = (request.body ?? {}) as { file?: unknown; mode?: unknown };
    if (!Buffer.isBuffer(body.file) || body.file.length === 0) throw new Invalid('file', 'is required (a CSV file)');
    const csv = decodeCsvFile(body.file);
    const fields = { mode: String(body.mode ?? 'all') };
    const mode = fields.mode === 'valid' ? 'valid' : 'all';
    const result = await people.importEmployees(callerOf(request), csv, mode);
    return reply
      .code(result.rejected.length > 0 && result.imported === 0 ? 422 : 200)
      .view('people/import.njk', { title: 'Import employees', header: IMPORT_HEADER.join(','), result, mode });
  });

  app.get('/employees/export.csv', { config: HR }, async (request, reply) => {
    const csv = await people.exportEmployees(callerOf(request));
    reply.header('content-disposition', `attachment; filename="employees-${formatDateIST(app.clock.now()).replace(/ /g, '-')}.csv"`);
    return reply.type('text/csv; charset=utf-8').send(csv);
  });
}
