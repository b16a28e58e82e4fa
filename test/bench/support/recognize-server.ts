/**
 * The server of `npm run bench:recognize-api`, in its own process so the load generator does not share its event
 * loop: a fresh database, one company of 10,000 employees × 3 encrypted samples (inserted in bulk, as the
 * enrolment would leave them), one paired kiosk. Prints `READY <json>` with the URL and the kiosk's id and
 * private key (a throwaway key of a throwaway database), and serves until killed.
 *
 * Bench-only routes (never in the app): `/bench/times` answers and clears the server time of each request per
 * route, from onRequest to onResponse (after the last byte is written); `/bench/enrol-elsewhere` enrols one more
 * employee directly in the database, as another instance would, without touching this instance's matcher;
 * `/bench/noop` is the trivial round trip (the floor of the HTTP path); `/bench/commit` one committed insert (the
 * floor of the database path).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { sql } from 'drizzle-orm';
import { createDatabase, inTransaction } from '../../../src/platform/db/client.js';
import { dropDatabase, ensureDatabase, parseDatabaseUrl, withDatabase } from '../../../src/platform/db/admin.js';
import { runMigrations } from '../../../src/platform/db/migrate.js';
import { findOrStartLocalServer } from '../../../src/platform/db/local-server.js';
import { newId } from '../../../src/platform/db/columns.js';
import { insertCompany } from '../../../src/modules/tenancy/index.js';
import { insertEmployeeRows } from '../../../src/modules/people/index.js';
import { insertEnrolments, insertPairedKiosk } from '../../../src/modules/attendance/index.js';
import { BENCH_COMPANY, benchCode, benchSamples } from './recognize-fixture.js';

const say = (line: string) => process.stderr.write(`[server] ${line}\n`);
const serverUrl = process.env.DATABASE_URL ? parseDatabaseUrl(process.env.DATABASE_URL).serverUrl : (await findOrStartLocalServer('.data')).serverUrl;
const url = withDatabase(serverUrl, `bz_bench_${randomBytes(4).toString('hex')}`);
await ensureDatabase(url);
await runMigrations(url);
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'silent', DATA_DIR: `.data/bench-${process.pid}` });
const database = createDatabase({ url, poolSize: config.databasePoolSize });
const app = await buildApp(config, { database });
const db = database.db;

let started = performance.now();
const company = await insertCompany(db, { name: 'Bench Recognize', domain: BENCH_COMPANY.domain, plan: 'enterprise' });
const tenantId = company.id;
const employeeIds: string[] = [];
for (let from = 0; from < BENCH_COMPANY.employees; from += 1000) {
  const rows = [];
  for (let i = from; i < Math.min(from + 1000, BENCH_COMPANY.employees); i++) {
    const id = newId();
    employeeIds.push(id);
    rows.push({
      id,
      code: benchCode(i),
      fullName: `Bench${i} Person`,
      email: `p${i}@${BENCH_COMPANY.domain}`,
      dateOfJoining: '2024-04-01',
      workState: 'KA',
      departmentId: null,
      designation: null,
      phone: null,
      gender: null,
      dateOfLeaving: null,
      ifsc: null,
      uan: null,
      esicNumber: null,
    });
  }
  await insertEmployeeRows(db, tenantId, rows as unknown as Parameters<typeof insertEmployeeRows>[2]);
}
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kioskId = await insertPairedKiosk(db, tenantId, {
  name: 'Bench gate',
  location: null,
  deviceName: 'bench',
  publicKeyJwk: publicKey.export({ format: 'jwk' }) as JsonWebKey,
  at: new Date(),
});
const consent = { textVersion: 'bench', acceptedAt: new Date(), kioskId };
const samples = await insertEnrolments(
  db,
  app.fieldCipher,
  tenantId,
  employeeIds.map((employeeId, i) => ({ employeeId, samples: benchSamples(i) })),
  consent,
);
say(`${BENCH_COMPANY.employees} employees, ${samples} encrypted samples in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// Face-sample decryptions by this instance (the incremental rebuild decrypts only new samples).
let decryptions = 0;
const decrypt = app.fieldCipher.decrypt.bind(app.fieldCipher);
app.fieldCipher.decrypt = (tenant, location, ciphertext) => {
  if (location.table === 'face_samples') decryptions++;
  return decrypt(tenant, location, ciphertext);
};

const times = new Map<string, number[]>();
const startedAt = new WeakMap<object, number>();
app.addHook('onRequest', async (request) => {
  startedAt.set(request, performance.now());
});
app.addHook('onResponse', async (request) => {
  const route = request.routeOptions.url ?? request.url;
  if (route.startsWith('/bench/times')) return;
  const list = times.get(route) ?? [];
  list.push(performance.now() - startedAt.get(request)!);
  times.set(route, list);
});
const OPEN = { config: { access: { public: true }, csrf: false } } as const;
app.get('/bench/times', OPEN, async () => {
  const cpu = process.cpuUsage();
  const answer = { ...Object.fromEntries(times), decryptions, cpuMs: (cpu.user + cpu.system) / 1000 };
  times.clear();
  return answer;
});
app.get('/bench/noop', OPEN, async () => ({ ok: true }));
// The database's share of the floor: one committed insert (a write and its log flush), as a punch commits one.
await db.execute(sql`CREATE TABLE bench_commits (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME(3) NOT NULL)`);
app.post('/bench/commit', OPEN, async () => {
  await inTransaction(db, (tx) => tx.execute(sql`INSERT INTO bench_commits (at) VALUES (${new Date()})`));
  return { ok: true };
});
let extra = BENCH_COMPANY.employees;
app.post('/bench/enrol-elsewhere', OPEN, async () => {
  const i = extra++;
  const id = newId();
  await insertEmployeeRows(db, tenantId, [
    {
      id,
      code: benchCode(i),
      fullName: `Bench${i} Person`,
      email: `p${i}@${BENCH_COMPANY.domain}`,
      dateOfJoining: '2024-04-01',
      workState: 'KA',
    },
  ] as unknown as Parameters<typeof insertEmployeeRows>[2]);
  await insertEnrolments(db, app.fieldCipher, tenantId, [{ employeeId: id, samples: benchSamples(i) }], consent);
  return { index: i };
});

await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as { port: number };
started = performance.now();
process.stdout.write(
  `READY ${JSON.stringify({ url: `http://127.0.0.1:${port}`, kioskId, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) })}\n`,
);

const stop = async () => {
  await app.close();
  await database.close();
  await dropDatabase(url);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
