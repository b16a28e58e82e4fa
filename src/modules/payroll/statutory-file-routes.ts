import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import { STATUTORY_FILES, statutoryFileUseCases } from './statutory-files.js';

const HR = { access: { allow: ROLE_GROUPS.payrollAdmins, scope: 'company' } } as const;
const fileParams = z.object({
  runId: z.string().uuid('is not a pay run id'),
  file: z.enum(STATUTORY_FILES, { error: `must be one of ${STATUTORY_FILES.join(', ')}` }),
});

/** Bank and statutory files of an approved pay run (issue 18 item 5). Owner and HR admins only. */
export async function statutoryFileRoutes(app: FastifyInstance): Promise<void> {
  const files = statutoryFileUseCases({ db: app.database.db, audit: app.audit, cipher: app.fieldCipher });

  app.get('/payroll/runs/:runId/files/:file', { config: HR }, async (request, reply) => {
    const { runId, file } = parseInput(fileParams, request.params);
    const download = await files.download(callerOf(request), runId, file);
    // The bank file carries account numbers: no copy in any cache on the way.
    reply.header('cache-control', 'no-store');
    reply.header('content-disposition', `attachment; filename="${download.filename}"`);
    return reply.type(download.contentType).send(download.body);
  });
}
