import { incomingContext } from '../../../src/platform/context/index.js';
import { rowScopeFor } from '../../../src/modules/access/index.js';
/**
 * A real server for benchmarks, in its own process so the load generator does not share its event
 * loop: fresh database, demo seed, listening on a free port; prints `READY <url>` and serves until killed.
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createDatabase } from '../../../src/platform/db/client.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../../../src/platform/db/admin.js';
import { runMigrations } from '../../../src/platform/db/migrate.js';
import { findOrStartLocalServer } from '../../../src/platform/db/local-server.js';
import { parseDatabaseUrl } from '../../../src/platform/db/admin.js';
import { seedDemo } from '../../../src/demo/seed.js';
import { findUserByEmail } from '../../../src/modules/identity/index.js';

const serverUrl = process.env.DATABASE_URL ? parseDatabaseUrl(process.env.DATABASE_URL).serverUrl : (await findOrStartLocalServer('.data')).serverUrl;
const url = withDatabase(serverUrl, `bz_bench_${randomBytes(4).toString('hex')}`);
await ensureDatabase(url);
await runMigrations(url);
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'silent', DATA_DIR: `.data/bench-${process.pid}` });
const database = createDatabase({ url, poolSize: 20 });
await seedDemo(database.db, config);
const app = await buildApp(config, { database });
// The floor for the list page: the same template and rows, rendered with no database or decryption.
if (process.env.BENCH_TEMPLATE_FLOOR) {
  const hr = (await findUserByEmail(database.db, 'hr@acme.test'))!;
  const viewer = await app.identity.sessions.resolve((await app.identity.sessions.start(hr, { ip: '127.0.0.1', userAgent: 'bench' })).token);
  const caller = { context: incomingContext({ requestId: 'bench', ip: '127.0.0.1', userAgent: 'bench' }), viewer: viewer!, scope: rowScopeFor(viewer!, 'company'), tenantId: viewer!.tenantId };
  const list = await app.people.list(caller, { page: 1 });
  const rows = await Promise.all(list.rows.map(async (employee) => ({ employee, masked: await app.people.masked(employee) })));
  const departments = await app.people.listDepartments(caller);
  app.get('/bench/list-template', { config: { access: { public: true } } }, async (request, reply) => {
    request.viewer = viewer;
    return reply.view('people/list.njk', { title: 'Employees', rows, sensitive: true, total: list.total, page: 1, pages: list.pages, q: '', department: '', departments, mayEdit: true });
  });
}
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as { port: number };
process.stdout.write(`READY http://localhost:${port}\n`);

const stop = async () => {
  await app.close();
  await database.close();
  await dropDatabase(url);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
