/**
 * A real server for benchmarks, in its own process so the load generator does not share its event
 * loop: fresh database, demo seed, listening on a free port; prints `READY <url>` and serves until killed.
 *
 * `GET /bench/counters` answers what the bench cannot see from outside: answered requests per route,
 * database round trips (every command a pooled connection sends), this process's CPU time and its
 * event loop utilisation, so a bench can say where a request's time goes (round trips per request,
 * CPU milliseconds per request, how busy the app thread was).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Connection } from 'mysql2';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createDatabase } from '../../../src/platform/db/client.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../../../src/platform/db/admin.js';
import { runMigrations } from '../../../src/platform/db/migrate.js';
import { findOrStartLocalServer } from '../../../src/platform/db/local-server.js';
import { parseDatabaseUrl } from '../../../src/platform/db/admin.js';
import { seedDemo } from '../../../src/demo/seed.js';
import { findUserByEmail } from '../../../src/modules/identity/index.js';
import { incomingContext } from '../../../src/platform/context/index.js';
import { rowScopeFor } from '../../../src/modules/access/index.js';

const serverUrl = process.env.DATABASE_URL ? parseDatabaseUrl(process.env.DATABASE_URL).serverUrl : (await findOrStartLocalServer('.data')).serverUrl;
const url = withDatabase(serverUrl, `bz_bench_${randomBytes(4).toString('hex')}`);
await ensureDatabase(url);
await runMigrations(url);
const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: url,
  LOG_LEVEL: 'silent',
  DATA_DIR: `.data/bench-${process.pid}`,
  // The pool production would get (config default) unless the bench asks for another size.
  ...(process.env.DATABASE_POOL_SIZE ? { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE } : {}),
});
const database = createDatabase({ url, poolSize: config.databasePoolSize });

// Every command a pooled connection sends (query, execute, prepare, ping) is one round trip.
let roundTrips = 0;
database.pool.pool.on('connection', (connection: Connection) => {
  const connectionWithCommands = connection as Connection & { addCommand(command: unknown): unknown };
  const addCommand = connectionWithCommands.addCommand.bind(connection);
  connectionWithCommands.addCommand = (command: unknown) => {
    roundTrips++;
    return addCommand(command);
  };
});

await seedDemo(database.db, config);
const app = await buildApp(config, { database });

const answered = new Map<string, number>();
app.addHook('onResponse', async (request) => {
  const route = request.routeOptions.url ?? request.url;
  answered.set(route, (answered.get(route) ?? 0) + 1);
});
app.get('/bench/counters', { config: { access: { public: true } } }, async () => {
  const cpu = process.cpuUsage();
  return {
    roundTrips,
    requests: Object.fromEntries(answered),
    cpuMs: (cpu.user + cpu.system) / 1000,
    eventLoop: performance.eventLoopUtilization(),
    poolSize: config.databasePoolSize,
  };
});

// The floor for the list page: the same template and rows, rendered with no database or decryption.
if (process.env.BENCH_TEMPLATE_FLOOR) {
  const hr = (await findUserByEmail(database.db, 'hr@acme.test'))!;
  const viewer = await app.identity.sessions.resolve((await app.identity.sessions.start(hr, { ip: '127.0.0.1', userAgent: 'bench' })).token);
  const caller = {
    context: incomingContext({ requestId: 'bench', ip: '127.0.0.1', userAgent: 'bench' }),
    viewer: viewer!,
    scope: rowScopeFor(viewer!, 'company'),
    tenantId: viewer!.tenantId,
  };
  const list = await app.people.listSummaries(caller, { page: 1 });
  const rows = await Promise.all(list.rows.map(async (employee) => ({ employee, masked: await app.people.masked(employee, ['pan', 'bankAccount']) })));
  const departments = await app.people.listDepartments(caller);
  app.get('/bench/list-template', { config: { access: { public: true } } }, async (request, reply) => {
    request.viewer = viewer;
    return reply.view('people/list.njk', {
      title: 'Employees',
      rows,
      sensitive: true,
      total: list.total,
      page: 1,
      pages: list.pages,
      q: '',
      department: '',
      departments,
      mayEdit: true,
    });
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
