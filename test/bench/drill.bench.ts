/**
 * `npm run bench:drill`: what the encrypted backup and the restore drill cost.
 *
 * A database with 10,000 employees (two companies of 5,000, PAN/Aadhaar/account encrypted, PAN blind
 * index) is
 *   (a) backed up by takeBackup (dump → AES-256-GCM → object store, plus checksums), restored by
 *       restoreBackup (authenticate every frame, then decrypt into the client) and verified by
 *       verifyRestore (checksums of every table, sampled decryption per tenant), and
 *   (b) copied by plain `mariadb-dump | mariadb` (same dump flags, shell pipe, no encryption, no checks)
 * in the same run, rounds alternating so a noisy moment hits both; medians. Target: (a) ≤ 2× (b).
 *
 * Prints human-readable lines, then as the LAST line one JSON object for CI to parse.
 * Uses DATABASE_URL's server when given, otherwise the local development server; scratch databases
 * and a scratch DATA_DIR, all removed at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFieldCipher, LocalKeyProvider } from '../../src/platform/crypto/index.js';
import { dropDatabase, ensureDatabase, parseDatabaseUrl, withDatabase } from '../../src/platform/db/admin.js';
import { createDatabase, inTransaction, type Database } from '../../src/platform/db/client.js';
import { newId } from '../../src/platform/db/columns.js';
import { findOrStartLocalServer, type LocalServer } from '../../src/platform/db/local-server.js';
import { runMigrations } from '../../src/platform/db/migrate.js';
import { LocalObjectStore } from '../../src/platform/storage/index.js';
import { localBackupMasterKey, restoreBackup, takeBackup, verifyRestore } from '../../src/platform/backup/index.js';
import { clientCredentials, clientTool, DUMP_FLAGS, dumpTool } from '../../src/platform/backup/tools.js';
import { insertCompany } from '../../src/modules/tenancy/index.js';
import { createPeople, insertDepartment, insertEmployeeRows, verhoeffCheckDigit } from '../../src/modules/people/index.js';
import { FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, SURNAMES, WORK_STATES } from '../../src/demo/names.js';
import { lastLine, median } from './support/harness.js';
import { systemClock } from '../../src/platform/clock/index.js';
import { createAudit } from '../../src/modules/audit/index.js';

const EMPLOYEES = Number(process.env.BENCH_EMPLOYEES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 2;
const BATCH = 500;

const say = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => (performance.now() - since) / 1000;
const scratchName = (label: string) => `bz_bench_${label}_${randomBytes(4).toString('hex')}`;

/** Two companies, four departments each, EMPLOYEES people with their sensitive fields sealed. */
async function buildSource(database: Database, keyProvider: LocalKeyProvider): Promise<void> {
  const cipher = createFieldCipher({ db: database.db, keyProvider, alert: () => {} });
  const people = createPeople({ db: database.db, cipher, clock: systemClock, audit: createAudit({ clock: systemClock }) });
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const perCompany = Math.ceil(EMPLOYEES / 2);
  for (const [c, name] of ['Bench Steel', 'Bench Textiles'].entries()) {
    const company = await insertCompany(database.db, { name, domain: `bench${c}.test`, plan: 'enterprise' });
    const departments: string[] = [];
    for (const department of ['Engineering', 'Sales', 'Operations', 'Finance'])
      departments.push(await insertDepartment(database.db, company.id, { name: department, costCentre: `CC-${department.length}` }));
    for (let start = 0; start < perCompany && c * perCompany + start < EMPLOYEES; start += BATCH) {
      const rows: Parameters<typeof insertEmployeeRows>[2] = [];
      for (let i = start; i < Math.min(start + BATCH, perCompany, EMPLOYEES - c * perCompany); i++) {
        const female = i % 2 === 0;
        const first = (female ? FIRST_NAMES_FEMALE : FIRST_NAMES_MALE)[i % (female ? FIRST_NAMES_FEMALE : FIRST_NAMES_MALE).length]!;
        const surname = SURNAMES[(i * 7) % SURNAMES.length]!;
        const aadhaar11 = String(20_000_000_000 + i * 7919).slice(0, 11);
        const input = {
          code: `E${String(i).padStart(5, '0')}`,
          fullName: `${first} ${surname}`,
          email: `${first}.${surname}.${i}@bench${c}.test`.toLowerCase(),
          phone: `+91 9${String(100_000_000 + i).slice(0, 9)}`,
          departmentId: departments[i % departments.length]!,
          designation: 'Associate',
          dateOfJoining: `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`,
          dateOfLeaving: null,
          workState: WORK_STATES[i % WORK_STATES.length]!,
          gender: female ? ('female' as const) : ('male' as const),
          // Unique within the company (the blind index is unique): the four digits are the row number.
          pan: `${letters[i % 26]}${letters[(i >> 3) % 26]}${letters[(i >> 7) % 26]}P${surname[0]!.toUpperCase()}${String(i % 10_000).padStart(4, '0')}${letters[(i * 3) % 26]}`,
          aadhaarLast4: `${aadhaar11}${verhoeffCheckDigit(aadhaar11)}`.slice(-4),
          bankAccount: String(50_000_000_000 + i * 104_729),
          ifsc: 'HDFC0001234',
          uan: `10${String(i).padStart(10, '0')}`,
          esicNumber: null,
        };
        const id = newId();
        rows.push({ id, ...people.plainColumns(input), ...(await people.sealSensitive(company.id, id, input)) });
      }
      await inTransaction(database.db, (tx) => insertEmployeeRows(tx, company.id, rows));
    }
  }
}

/** `mariadb-dump … source | mariadb … target` through a shell pipe: the floor, with nothing in between. */
async function plainCopy(sourceUrl: string, targetUrl: string): Promise<void> {
  await ensureDatabase(targetUrl);
  const credentials = await clientCredentials(sourceUrl, 'off');
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  const dump = [dumpTool(), credentials.argument, ...DUMP_FLAGS, parseDatabaseUrl(sourceUrl).database].map(quote).join(' ');
  const load = [clientTool(), credentials.argument, '--default-character-set=utf8mb4', '--batch', parseDatabaseUrl(targetUrl).database].map(quote).join(' ');
  try {
    await new Promise<void>((resolve, reject) => {
      const shell = spawn('bash', ['-c', `set -o pipefail; ${dump} | ${load}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      shell.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`plain dump | load failed (${code}): ${stderr}`))));
    });
  } finally {
    await credentials.remove();
  }
}

let localServer: LocalServer | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), 'bz-bench-drill-'));
const sourceUrl = { value: '' };
try {
  let serverUrl: string;
  if (process.env.DATABASE_URL) serverUrl = parseDatabaseUrl(process.env.DATABASE_URL).serverUrl;
  else {
    localServer = await findOrStartLocalServer(process.env.DATA_DIR ?? '.data', (line) => say(`[db] ${line}`));
    serverUrl = localServer.serverUrl;
  }
  sourceUrl.value = withDatabase(serverUrl, scratchName('src'));
  await ensureDatabase(sourceUrl.value);
  await runMigrations(sourceUrl.value);
  const keyProvider = new LocalKeyProvider({ dataDir, isProduction: false });
  const backupKey = localBackupMasterKey({ dataDir, isProduction: false });
  const store = new LocalObjectStore({ dataDir });
  const source = createDatabase({ url: sourceUrl.value, poolSize: 2 });
  const built = performance.now();
  try {
    await buildSource(source, keyProvider);
  } finally {
    await source.close();
  }
  say(`Built ${EMPLOYEES.toLocaleString('en-IN')} employees with encrypted PAN, Aadhaar last-4 and account in ${seconds(built).toFixed(1)} s`);

  const ours: { backup: number; restore: number; verify: number; total: number }[] = [];
  const plain: number[] = [];
  let dumpBytes = 0;
  let storedBytes = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const plainTarget = withDatabase(serverUrl, scratchName('plain'));
    let started = performance.now();
    await plainCopy(sourceUrl.value, plainTarget);
    plain.push(seconds(started));
    await dropDatabase(plainTarget);

    const oursTarget = withDatabase(serverUrl, scratchName('ours'));
    started = performance.now();
    const metadata = await takeBackup({ databaseUrl: sourceUrl.value, backupKey, store });
    const backup = seconds(started);
    const restored = await restoreBackup({ backupId: metadata.id, targetDatabaseUrl: oursTarget, backupKey, store });
    const verifyStarted = performance.now();
    const verification = await verifyRestore({ databaseUrl: oursTarget, keyProvider, metadata });
    const verify = seconds(verifyStarted);
    const total = seconds(started);
    await dropDatabase(oursTarget);
    if (!verification.ok) throw new Error(`verification failed: ${JSON.stringify(verification.checks.filter((c) => c.status === 'fail'))}`);
    ours.push({ backup, restore: restored.seconds, verify, total });
    dumpBytes = metadata.sizes.plaintextBytes;
    storedBytes = metadata.sizes.ciphertextBytes;
    say(
      `  round ${round}: ours ${total.toFixed(2)} s (backup ${backup.toFixed(2)} + restore ${restored.seconds.toFixed(2)} + verify ${verify.toFixed(2)}), plain ${plain.at(-1)!.toFixed(2)} s`,
    );
  }

  const mb = dumpBytes / 1e6;
  const oursSeconds = median(ours.map((o) => o.total));
  const plainSeconds = median(plain);
  const ratio = oursSeconds / plainSeconds;
  const met = ratio <= TARGET_RATIO;
  say(`Dump: ${mb.toFixed(2)} MB of SQL, ${(storedBytes / 1e6).toFixed(2)} MB stored encrypted (medians of ${ROUNDS} rounds)`);
  say(`  ours  (backup + restore + verify) ${oursSeconds.toFixed(2)} s, ${(mb / oursSeconds).toFixed(2)} MB/s`);
  say(
    `    backup ${median(ours.map((o) => o.backup)).toFixed(2)} s, restore ${median(ours.map((o) => o.restore)).toFixed(2)} s, verify ${median(ours.map((o) => o.verify)).toFixed(2)} s`,
  );
  say(`  plain (mariadb-dump | mariadb)     ${plainSeconds.toFixed(2)} s, ${(mb / plainSeconds).toFixed(2)} MB/s`);
  say(`  ratio ${ratio.toFixed(2)}× plain (target ≤ ${TARGET_RATIO}×): ${met ? 'met' : 'NOT met'}`);
  lastLine({
    bench: 'drill',
    employees: EMPLOYEES,
    rounds: ROUNDS,
    dumpMB: Number(mb.toFixed(3)),
    storedMB: Number((storedBytes / 1e6).toFixed(3)),
    ours: {
      seconds: Number(oursSeconds.toFixed(3)),
      mbPerSecond: Number((mb / oursSeconds).toFixed(2)),
      backupSeconds: Number(median(ours.map((o) => o.backup)).toFixed(3)),
      restoreSeconds: Number(median(ours.map((o) => o.restore)).toFixed(3)),
      verifySeconds: Number(median(ours.map((o) => o.verify)).toFixed(3)),
    },
    plain: { seconds: Number(plainSeconds.toFixed(3)), mbPerSecond: Number((mb / plainSeconds).toFixed(2)) },
    ratio: Number(ratio.toFixed(3)),
    target: `<= ${TARGET_RATIO}x plain`,
    met,
  });
  process.exitCode = met ? 0 : 1;
} catch (error) {
  process.stderr.write(`bench:drill failed: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  if (sourceUrl.value) await dropDatabase(sourceUrl.value).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
  await localServer?.stop();
}
