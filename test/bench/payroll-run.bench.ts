/**
 * `npm run bench:payroll` (issue 18, "Measure"): a pay run end to end through the job, at 1,000 and 10,000 employees.
 *
 * Each scale is a company of its own: employees in the six PT states, a salary structure each (CTCs 2.4 L–40 L, from
 * April), a month of kiosk punches (Monday to Saturday, a few absences) and an approved run for the month before,
 * so the run reads real year-to-date figures. All inserted in bulk for setup speed. Then, timed:
 *   the run: `startRun` (the use case) and the pay-run job to its end (attendance month summaries, structures, YTD
 *   read, the calculator, payslips written in batches of 200 in transactions);
 *   the floor: the same payslip rows the run wrote (read back, so precomputed), inserted again under another run in
 *   the same batch size, a transaction each.
 * Peak RSS is sampled every 10 ms during each run, after a GC, so setup garbage does not count; the 1,000 run goes
 * first (it also warms the JIT). The calculator alone: calls per second over the 10,000 inputs of the run.
 * Targets on this 2-core machine: the 10,000 run ≤ 3× its floor and under 15 s, memory flat (the 10,000 run's peak
 * RSS ≤ 1.5× the 1,000 run's).
 *
 * Prints human-readable lines, then as the LAST line one JSON object for CI to parse. Exit 0 when met.
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { and, eq } from 'drizzle-orm';
import { lastLine } from './support/harness.js';
import { loadConfig } from '../../src/config.js';
import { createDatabase, inTransaction, type Db } from '../../src/platform/db/client.js';
import { dropDatabase, ensureDatabase, parseDatabaseUrl, withDatabase } from '../../src/platform/db/admin.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { findOrStartLocalServer } from '../../src/platform/db/local-server.js';
import { newId } from '../../src/platform/db/columns.js';
import { datesBetween, istInstant, istMonthBounds, systemClock, weekday } from '../../src/platform/clock/index.js';
import { createJobRunner } from '../../src/platform/jobs/index.js';
import { insertCompany } from '../../src/modules/tenancy/index.js';
import { insertUser } from '../../src/modules/identity/index.js';
import { employees } from '../../src/modules/people/index.js';
import { punches } from '../../src/modules/attendance/index.js';
import { createAudit } from '../../src/modules/audit/index.js';
import {
  calculateEmployeeMonth,
  PAY_RUN_JOB,
  payRunUseCases,
  payRuns,
  payslips,
  salaryStructures,
  salaryTemplates,
  type EmployeeMonthInput,
} from '../../src/modules/payroll/index.js';
import { demoCaller, demoCtc } from '../../src/demo/payroll.js';

const SCALES = [1_000, 10_000];
const BATCH = 200;
const MONTH = '2026-09';
const PRIOR_MONTH = '2026-08';
const TARGET = { ratio: 3, runSeconds: 15, rssGrowth: 1.5 };
const STATES = ['MH', 'KA', 'TN', 'WB', 'TG', 'GJ'];

const say = (line: string) => process.stdout.write(`${line}\n`);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function insertInChunks<Row>(rows: Row[], size: number, insert: (chunk: Row[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

interface Company {
  tenantId: string;
  hr: ReturnType<typeof demoCaller>;
  owner: ReturnType<typeof demoCaller>;
}

/** A company of `count` employees with structures, the month's punches and an approved run for the month before. */
async function setUpCompany(db: Db, count: number): Promise<Company> {
  const company = await insertCompany(db, { name: `Bench ${count}`, domain: `bench-${count}-${randomBytes(3).toString('hex')}.test`, plan: 'enterprise' });
  const tenantId = company.id;
  const admin = async (local: string, role: 'owner' | 'hr_admin') => {
    const email = `${local}@${company.domain}`;
    const userId = await insertUser(db, tenantId, { email, displayName: local, role, passwordHash: 'bench', status: 'active', employeeId: null }, new Date());
    return demoCaller(tenantId, company.name, { userId, email, displayName: local, role });
  };
  const hr = await admin('hr', 'hr_admin');
  const owner = await admin('owner', 'owner');

  const staff = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    tenantId,
    code: `B${String(i + 1).padStart(6, '0')}`,
    fullName: `Bench Person ${i + 1}`,
    dateOfJoining: `20${String(18 + (i % 8)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-01`,
    workState: STATES[i % STATES.length]!,
    gender: i % 2 === 0 ? ('male' as const) : ('female' as const),
    // The run only asks whether these are there; it never decrypts them.
    panCipher: 'bench',
    bankAccountCipher: 'bench',
    ifsc: 'HDFC0001234',
    uan: `10${String(i).padStart(10, '0')}`,
  }));
  await insertInChunks(staff, 2000, (chunk) => db.insert(employees).values(chunk));

  const templateId = newId();
  await db.insert(salaryTemplates).values({ id: templateId, tenantId, name: 'Standard', basicBasisPoints: 5000, hraBasisPoints: 4000 });
  await insertInChunks(
    staff.map((e, i) => ({
      id: newId(),
      tenantId,
      employeeId: e.id,
      effectiveFrom: '2026-04-01',
      templateId,
      annualCtc: demoCtc(i % 60, 60),
      da: 0,
      allowances: '{}',
      pfMode: 'restricted' as const,
      setBy: hr.viewer.userId,
    })),
    2000,
    (chunk) => db.insert(salaryStructures).values(chunk),
  );

  // A month of punches, a chunk of employees at a time so setup does not hold them all.
  const { firstDay, lastDay } = istMonthBounds(MONTH);
  const workingDays = datesBetween(firstDay, lastDay).filter((day) => weekday(day) !== 0);
  for (let from = 0; from < staff.length; from += 200) {
    const rows = [];
    for (const [k, employee] of staff.slice(from, from + 200).entries()) {
      const index = from + k;
      const absent = index % 7 === 3 ? new Set(workingDays.slice(4, 6)) : new Set<string>();
      for (const day of workingDays) {
        if (absent.has(day)) continue;
        for (const [minutes, direction] of [
          [9 * 60 + 20, 'in'],
          [18 * 60 + 40, 'out'],
        ] as const)
          rows.push({
            id: newId(),
            tenantId,
            employeeId: employee.id,
            kioskId: null,
            at: istInstant(day, minutes),
            istDay: day,
            direction,
            method: 'face' as const,
          });
      }
    }
    await insertInChunks(rows, 2600, (chunk) => db.insert(punches).values(chunk));
  }
  return { tenantId, hr, owner };
}

/** Starts the month's run as HR and runs its job to the end; the time and the peak RSS while it ran. */
async function timedRun(db: Db, company: Company, month: string) {
  const clock = systemClock;
  const audit = createAudit({ clock });
  const jobs = createJobRunner({ db, clock, pollMs: false, owner: 'bench' });
  const useCases = payRunUseCases({ db, clock, audit, jobs });
  jobs.register(PAY_RUN_JOB, useCases.computeRun);
  gc();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const start = process.hrtime.bigint();
  const runId = await useCases.startRun(company.hr, month);
  const [run] = await db.select().from(payRuns).where(eq(payRuns.id, runId));
  await jobs.runToCompletion(run!.jobId!);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const [after] = await db.select().from(payRuns).where(eq(payRuns.id, runId));
  if (after!.status !== 'computed') throw new Error(`the run for ${month} ended ${after!.status}`);
  return { runId, seconds, peakRss, useCases };
}

/** The floor: `rows` inserted again under a fresh run, BATCH at a time, each batch in its own transaction. */
async function timedFloor(db: Db, tenantId: string, rows: (typeof payslips.$inferSelect)[], month: string, startedBy: string) {
  const runId = newId();
  const now = new Date();
  await db.insert(payRuns).values({ id: runId, tenantId, month, status: 'computing', startedBy, employeesTotal: rows.length, createdAt: now, updatedAt: now });
  const fresh = rows.map((row) => ({ ...row, id: newId(), runId, month }));
  const start = process.hrtime.bigint();
  for (let i = 0; i < fresh.length; i += BATCH) {
    await inTransaction(db, (tx) => tx.insert(payslips).values(fresh.slice(i, i + BATCH)));
  }
  return { runId, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

const serverUrl = process.env.DATABASE_URL ? parseDatabaseUrl(process.env.DATABASE_URL).serverUrl : (await findOrStartLocalServer('.data')).serverUrl;
const url = withDatabase(serverUrl, `bz_bench_${randomBytes(4).toString('hex')}`);
await ensureDatabase(url);
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'silent', DATA_DIR: `.data/bench-${process.pid}` });
const database = createDatabase({ url, poolSize: config.databasePoolSize });
try {
  await runMigrations(url);
  const figures: Record<number, { runSeconds: number; floorSeconds: number; ratio: number; peakRssMb: number; payslips: number }> = {};
  let inputs: EmployeeMonthInput[] = [];
  for (const count of SCALES) {
    const setupStart = Date.now();
    const company = await setUpCompany(database.db, count);
    say(`${count.toLocaleString('en-IN')} employees: set up in ${((Date.now() - setupStart) / 1000).toFixed(1)} s`);
    // The month before, computed by the job too and approved, so the timed run reads real year-to-date figures.
    const prior = await timedRun(database.db, company, PRIOR_MONTH);
    await prior.useCases.approveRun(company.owner, prior.runId);
    say(`  ${PRIOR_MONTH} (untimed, for YTD): ${prior.seconds.toFixed(2)} s, approved`);

    const run = await timedRun(database.db, company, MONTH);
    const written = await database.db
      .select()
      .from(payslips)
      .where(and(eq(payslips.tenantId, company.tenantId), eq(payslips.runId, run.runId)));
    if (written.length !== count) throw new Error(`${written.length} payslips for ${count} employees`);
    if (written.some((p) => p.net <= 0)) throw new Error('a payslip with no positive net');
    const floor = await timedFloor(database.db, company.tenantId, written, '2026-07', company.hr.viewer.userId);
    const ratio = run.seconds / floor.seconds;
    figures[count] = {
      runSeconds: Number(run.seconds.toFixed(2)),
      floorSeconds: Number(floor.seconds.toFixed(2)),
      ratio: Number(ratio.toFixed(2)),
      peakRssMb: mb(run.peakRss),
      payslips: written.length,
    };
    say(
      `  ${MONTH} run: ${run.seconds.toFixed(2)} s (${Math.round(count / run.seconds)} payslips/s); floor (same rows, batches of ${BATCH}): ${floor.seconds.toFixed(2)} s; ratio ${ratio.toFixed(2)}×; peak RSS ${mb(run.peakRss)} MB`,
    );
    inputs = written.map((p) => JSON.parse(p.input) as EmployeeMonthInput);
  }

  // The calculator alone over the last run's inputs: warm-up, then as many passes as fit in ~2 s.
  for (const input of inputs.slice(0, 500)) calculateEmployeeMonth(input);
  let calls = 0;
  const calcStart = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - calcStart) < 2e9) for (const input of inputs) (calculateEmployeeMonth(input), calls++);
  const callsPerSecond = Math.round(calls / (Number(process.hrtime.bigint() - calcStart) / 1e9));
  say(`calculator alone: ${callsPerSecond.toLocaleString('en-IN')} calls/s`);

  const big = figures[10_000]!;
  const small = figures[1_000]!;
  const rssGrowth = Number((big.peakRssMb / small.peakRssMb).toFixed(2));
  const met = big.ratio <= TARGET.ratio && big.runSeconds <= TARGET.runSeconds && rssGrowth <= TARGET.rssGrowth;
  say(
    `10,000 run ${big.runSeconds} s (target < ${TARGET.runSeconds} s), ${big.ratio}× the floor (target ≤ ${TARGET.ratio}×), peak RSS ${small.peakRssMb} MB at 1,000 → ${big.peakRssMb} MB at 10,000 (${rssGrowth}×, target ≤ ${TARGET.rssGrowth}×): ${met ? 'met' : 'NOT met'}`,
  );
  lastLine({
    bench: 'payroll-run',
    employees: 10_000,
    batchSize: BATCH,
    runSeconds: big.runSeconds,
    floorSeconds: big.floorSeconds,
    ratio: big.ratio,
    peakRssMb: { '1000': small.peakRssMb, '10000': big.peakRssMb },
    rssGrowth,
    run1000Seconds: small.runSeconds,
    floor1000Seconds: small.floorSeconds,
    calculatorCallsPerSecond: callsPerSecond,
    target: { ratio: TARGET.ratio, runSeconds: TARGET.runSeconds, rssGrowth: TARGET.rssGrowth },
    met,
  });
  process.exitCode = met ? 0 : 1;
} finally {
  await database.close();
  await dropDatabase(url);
}
