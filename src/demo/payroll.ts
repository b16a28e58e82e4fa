/**
 * The demo companies' payroll (issue 18 item 7): salary templates, a structure for every demo employee (CTCs
 * spread from 2.4 L to 40 L, the lowest in ESI range), a month of attendance, and the previous month's pay run
 * started by HR and approved by the owner (maker-checker), computed by the real pay-run job, so a new user
 * sees payslips. Idempotent: each step looks at what is there first.
 */
import { and, eq, gte, lte, sql } from 'drizzle-orm';
import type { Role, Caller, Viewer } from '../modules/access/index.js';
import { punches } from '../modules/attendance/index.js';
import type { Audit } from '../modules/audit/index.js';
import { PAY_RUN_JOB, payRunUseCases, salaryStructureUseCases } from '../modules/payroll/index.js';
import { datesBetween, istInstant, istMonth, istMonthBounds, weekday, type Clock, type IsoDate, type IsoMonth } from '../platform/clock/index.js';
import type { Db } from '../platform/db/client.js';
import { newId } from '../platform/db/columns.js';
import { createJobRunner } from '../platform/jobs/index.js';

export const DEMO_TEMPLATES = [
  // §7 A's shape: basic 50% of monthly CTC, HRA 40% of basic.
  { name: 'Standard', basicPercentOfCtc: 50, hraPercentOfBasic: 40 },
  // Metro HRA is 50% of basic (Income-tax Rules, rule 2A), so metro offices often pay it.
  { name: 'Metro', basicPercentOfCtc: 50, hraPercentOfBasic: 50 },
];
export const DEMO_LOWEST_CTC = 240_000;
export const DEMO_HIGHEST_CTC = 4_000_000;
/** How many of a company's employees sit at the bottom of the spread, in ESI range (gross ≤ ₹21,000 a month). */
const ESI_RANGE_PEOPLE = 6;

/** The month before `now`'s IST month: the demo's approved run. */
export function previousMonth(now: Date): IsoMonth {
  const [year, month] = istMonth(now).split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/**
 * The i-th of n employees' annual CTC: the first few from 2.4 L in ₹6,000 steps (in ESI range), the rest
 * spread geometrically up to 40 L, rounded to ₹1,000.
 */
export function demoCtc(index: number, count: number): number {
  if (index < ESI_RANGE_PEOPLE) return DEMO_LOWEST_CTC + index * 6_000;
  const rest = count - ESI_RANGE_PEOPLE;
  const from = 300_000;
  const share = rest <= 1 ? 1 : (index - ESI_RANGE_PEOPLE) / (rest - 1);
  return Math.round((from * Math.pow(DEMO_HIGHEST_CTC / from, share)) / 1_000) * 1_000;
}

interface DemoStaff {
  id: string;
  dateOfJoining: string;
}

/** Mumbai, Chennai and Kolkata are metros for HRA (Income-tax Rules, rule 2A); Bengaluru, Hyderabad and Ahmedabad are not. */
const METRO_STATES = new Set(['MH', 'TN', 'WB']);

export interface DemoAdmin {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
}

/** A signed-in admin's call as the use cases take it, for work the seed does in their name. */
export function demoCaller(tenantId: string, companyName: string, admin: DemoAdmin): Caller {
  const viewer: Viewer = {
    userId: admin.userId,
    tenantId,
    sessionId: 'demo-seed',
    email: admin.email,
    displayName: admin.displayName,
    role: admin.role,
    roleLabel: admin.role,
    employeeId: null,
    companyName,
    twoFactorEnabled: false,
    needsTwoFactorSetup: false,
    impersonation: null,
  };
  return {
    context: { requestId: `demo-seed-${newId()}`, ip: null, userAgent: null, tenantId, actor: { kind: 'user', userId: admin.userId } },
    viewer,
    scope: { kind: 'company' },
    tenantId,
  };
}

/**
 * A month of kiosk punches for the demo staff: in and out on every working day (Monday to Saturday, the
 * default shift), except a few absences (loss of pay) for every seventh employee. Written straight to the
 * table, as the kiosk would leave them; skipped when the month already has punches.
 */
async function seedMonthOfPunches(db: Db, tenantId: string, staff: readonly DemoStaff[], month: IsoMonth): Promise<void> {
  const { firstDay, lastDay } = istMonthBounds(month);
  const [existing] = await db
    .select({ n: sql<string>`COUNT(*)` })
    .from(punches)
    .where(and(eq(punches.tenantId, tenantId), gte(punches.istDay, firstDay), lte(punches.istDay, lastDay)));
  if (Number(existing?.n ?? 0) > 0) return;
  const workingDays = datesBetween(firstDay, lastDay).filter((day) => weekday(day) !== 0);
  const rows = [];
  for (const [index, employee] of staff.entries()) {
    const absent = new Set(index % 7 === 3 ? workingDays.slice(4, 4 + 1 + (index % 3)) : []);
    for (const day of workingDays) {
      if (absent.has(day) || day < employee.dateOfJoining) continue;
      rows.push(punchRow(tenantId, employee.id, day, 9 * 60 + 15 + (index % 20), 'in'));
      rows.push(punchRow(tenantId, employee.id, day, 18 * 60 + 35 + (index % 25), 'out'));
    }
  }
  for (let i = 0; i < rows.length; i += 2000) await db.insert(punches).values(rows.slice(i, i + 2000));
}

function punchRow(tenantId: string, employeeId: string, day: IsoDate, minutes: number, direction: 'in' | 'out') {
  return {
    id: newId(),
    tenantId,
    employeeId,
    kioskId: null,
    at: istInstant(day, minutes),
    istDay: day,
    direction,
    method: 'face' as const,
    distance: 0.3,
    livenessScore: 0.9,
  };
}

export interface DemoPayrollSummary {
  month: IsoMonth;
  runId: string;
  payslips: number;
}

/**
 * Templates, structures, attendance and the approved run of the previous month for one demo company. `maker`
 * starts the run, `checker` approves it. The pay-run job runs here, on a runner of its own that handles only
 * pay runs, so the seed needs no app.
 */
export async function seedDemoPayroll(deps: {
  db: Db;
  clock: Clock;
  audit: Audit;
  tenantId: string;
  companyName: string;
  maker: DemoAdmin;
  checker: DemoAdmin;
}): Promise<DemoPayrollSummary> {
  const { db, clock, audit, tenantId } = deps;
  const hr = demoCaller(tenantId, deps.companyName, deps.maker);
  const owner = demoCaller(tenantId, deps.companyName, deps.checker);
  const month = previousMonth(clock.now());

  const structures = salaryStructureUseCases({ db, clock, audit });
  const templateIds = new Map((await structures.listTemplates(hr)).map((t) => [t.name, t.id]));
  for (const template of DEMO_TEMPLATES) {
    if (!templateIds.has(template.name)) templateIds.set(template.name, await structures.createTemplate(hr, template));
  }
  // Everyone employed in the month, by code (the overview's order), with the structure in force today if any.
  const { firstDay, lastDay } = istMonthBounds(month);
  const staff = (await structures.salaryOverview(hr)).filter((e) => e.dateOfJoining <= lastDay && (!e.dateOfLeaving || e.dateOfLeaving >= firstDay));
  for (const [index, employee] of staff.entries()) {
    if (employee.annualCtc !== null) continue;
    const joined = employee.dateOfJoining.slice(0, 7);
    await structures.setStructure(hr, employee.id, {
      effectiveMonth: joined > month ? joined : month,
      templateId: templateIds.get(METRO_STATES.has(employee.workState) ? 'Metro' : 'Standard')!,
      pfMode: 'restricted',
      terms: { annualCtc: demoCtc(index, staff.length), basicOverride: null, hraOverride: null, da: 0, allowances: {} },
    });
  }

  await seedMonthOfPunches(db, tenantId, staff, month);

  const jobs = createJobRunner({ db, clock, pollMs: false, owner: 'demo-seed' });
  const payRuns = payRunUseCases({ db, clock, audit, jobs });
  jobs.register(PAY_RUN_JOB, payRuns.computeRun);
  let run = (await payRuns.listRuns(hr)).find((r) => r.month === month);
  if (run?.status !== 'approved') {
    const runId = await payRuns.startRun(hr, month);
    run = (await payRuns.listRuns(hr)).find((r) => r.id === runId)!;
    await jobs.runToCompletion(run.jobId!);
    await payRuns.approveRun(owner, runId);
  }
  const page = await payRuns.runPage(owner, run.id);
  return { month, runId: run.id, payslips: page.register.length };
}
