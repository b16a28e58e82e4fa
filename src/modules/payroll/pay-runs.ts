/**
 * Pay runs (issue 18 item 4): HR starts a run for a month, a job computes every employee of the month from
 * salary structures, attendance LOP and year-to-date figures, writing payslips in batches; another payroll
 * admin approves it, which locks it for good (corrections go to the next month as arrears).
 *
 * A crash mid-run leaves no half run: payslips count only once their run is `computed`, and every attempt of
 * the job starts by deleting the run's payslips, so a restart recomputes cleanly from the same sources.
 */
import type { Clock } from '../../platform/clock/index.js';
import { istMonth, istMonthBounds } from '../../platform/clock/index.js';
import { duplicateKeyOf, inTransaction, type Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/errors.js';
import type { JobContext, JobRunner } from '../../platform/jobs/index.js';
import type { Caller } from '../access/index.js';
import { monthSummariesOf } from '../attendance/index.js';
import type { Audit } from '../audit/index.js';
import { ISO_MONTH } from './month-field.js';
import { periodStarts, workOutEmployeeMonth, payslipFigures, type EmployeeProblem, type Worked } from './pay-run-compute.js';
import * as runStore from './pay-run-store.js';
import * as store from './store.js';
import { leftOutOfFiles } from './statutory-file-store.js';
import type { PayRunRow } from './schema.js';

export const PAY_RUN_JOB = 'payroll.pay_run';

/** Test seams, chosen in app.ts: the batch size, and a hook before each batch (a test makes it throw to crash a run). */
export interface PayRunHooks {
  batchSize?: number;
  beforeBatch?: (runId: string, batch: number) => void | Promise<void>;
}

interface PayRunPayload {
  runId: string;
}

export function payRunUseCases(deps: { db: Db; clock: Clock; audit: Audit; jobs: JobRunner; hooks?: PayRunHooks }) {
  const { db, clock, audit, jobs } = deps;
  // 200 payslips a transaction: big enough that a run of thousands is a few dozen commits, small enough
  // that no transaction holds locks for long.
  const batchSize = deps.hooks?.batchSize ?? 200;

  /** Everyone employed in the month, worked out from structures, attendance and approved year-to-date pay. */
  async function workOutMonth(reader: Db, tenantId: string, month: string): Promise<Worked[]> {
    const { firstDay, lastDay } = istMonthBounds(month);
    const staff = await runStore.employeesOfMonth(reader, tenantId, firstDay, lastDay);
    const ids = staff.map((e) => e.id);
    const [structures, templates, summaries, ytd] = await Promise.all([
      // The structure in force on the month's last day: structures start on the first of a month, so it is the month's.
      store.structuresInForce(reader, tenantId, ids, lastDay),
      store.listTemplates(reader, tenantId),
      monthSummariesOf(reader, tenantId, staff, month, clock.now()),
      runStore.yearToDate(reader, tenantId, ids, { ...periodStarts(month), month }),
    ]);
    const templateById = new Map(templates.map((t) => [t.id, t]));
    return staff.map((employee) => {
      const structure = structures.get(employee.id);
      return workOutEmployeeMonth({
        employee,
        structure,
        template: structure && templateById.get(structure.templateId),
        attendance: summaries.get(employee.id)?.totals,
        ytd: ytd.get(employee.id),
        month,
      });
    });
  }

  function checkMonth(month: string): void {
    if (!ISO_MONTH.test(month)) throw new Invalid('month', 'must be a month YYYY-MM');
    if (month > istMonth(clock.now())) throw new Invalid('month', `${month} has not started yet`);
  }

  async function runOf(caller: Caller, runId: string): Promise<PayRunRow> {
    const run = await runStore.findRun(db, caller.tenantId, runId);
    if (!run) throw new NotFound('No such pay run');
    return run;
  }

  /** Maker-checker: the one who started the run may approve it only when the company has no other owner or HR admin. */
  async function mayApprove(caller: Caller, run: PayRunRow): Promise<boolean> {
    if (run.startedBy !== caller.viewer.userId) return true;
    return (await runStore.otherPayrollAdmins(db, caller.tenantId, caller.viewer.userId)) === 0;
  }

  /** The job: one attempt computes the whole run from scratch; a superseded or approved run is left alone. */
  async function computeRun(job: JobContext<PayRunPayload, { superseded: boolean }>): Promise<{ payslips: number; skipped: number } | null> {
    const tenantId = job.tenantId!;
    const { runId } = job.payload;
    const ours = (run: PayRunRow | undefined): run is PayRunRow => !!run && run.jobId === job.id && run.status !== 'approved';

    const started = await job.step(async (tx) => {
      const run = await runStore.lockRun(tx, tenantId, runId);
      if (!ours(run)) return { checkpoint: { superseded: true } };
      // A restart after a crash begins here too: whatever an earlier attempt wrote goes.
      await runStore.deletePayslipsOfOpenRun(tx, tenantId, runId);
      await runStore.updateOpenRun(tx, tenantId, runId, { status: 'computing', employeesDone: 0, problems: null, updatedAt: job.now() });
      return { checkpoint: { superseded: false }, progress: { done: 0, total: null, message: 'Reading salaries and attendance' } };
    });
    if (started.superseded) return null;
    const run = (await runStore.findRun(db, tenantId, runId))!;

    const worked = await workOutMonth(db, tenantId, run.month);
    const computed = worked.filter((w): w is Extract<Worked, { ok: true }> => w.ok);
    const skipped = worked.filter((w) => !w.ok).flatMap((w) => w.problems);
    const total = computed.length;

    for (let from = 0, batch = 1; from < total; from += batchSize, batch++) {
      await deps.hooks?.beforeBatch?.(runId, batch);
      const slice = computed.slice(from, from + batchSize);
      const done = from + slice.length;
      const outcome = await job.step(async (tx) => {
        if (!ours(await runStore.lockRun(tx, tenantId, runId))) return { checkpoint: { superseded: true } };
        const now = job.now();
        await runStore.insertPayslips(
          tx,
          slice.map((w) => ({
            id: newId(),
            runId,
            tenantId,
            employeeId: w.employeeId,
            month: run.month,
            input: JSON.stringify(w.input),
            output: JSON.stringify(w.breakdown),
            ...payslipFigures(w.breakdown),
            createdAt: now,
          })),
        );
        await runStore.updateOpenRun(tx, tenantId, runId, { employeesTotal: total, employeesDone: done, updatedAt: now });
        return { checkpoint: { superseded: false }, progress: { done, total, message: `${done} of ${total} payslips` } };
      });
      if (outcome.superseded) return null;
    }

    const finished = await job.step(async (tx) => {
      if (!ours(await runStore.lockRun(tx, tenantId, runId))) return { checkpoint: { superseded: true } };
      await runStore.updateOpenRun(tx, tenantId, runId, {
        status: 'computed',
        employeesTotal: total,
        employeesDone: total,
        problems: JSON.stringify(skipped),
        updatedAt: job.now(),
      });
      return { checkpoint: { superseded: false }, progress: { done: total, total, message: 'Computed' } };
    });
    return finished.superseded ? null : { payslips: total, skipped: skipped.length };
  }

  return {
    computeRun,

    listRuns: (caller: Caller) => runStore.listRuns(db, caller.tenantId),

    /** Problems per employee before running (issue 18 item 4); they block nothing but an employee without a structure. */
    async preRunCheck(caller: Caller, month: string): Promise<EmployeeProblem[]> {
      if (!ISO_MONTH.test(month)) throw new Invalid('month', 'must be a month YYYY-MM');
      return (await workOutMonth(db, caller.tenantId, month)).flatMap((w) => w.problems);
    },

    /**
     * Starts (or re-starts) the month's run: creates the draft or reuses it, points it at a new job and
     * enqueues that job. An approved month is refused. A job still working on an earlier start finds the run
     * pointing elsewhere and stops.
     */
    async startRun(caller: Caller, month: string): Promise<string> {
      checkMonth(month);
      const existing = await runStore.findRunOfMonth(db, caller.tenantId, month);
      if (existing?.status === 'approved') throw new Conflict(`The pay run for ${month} is approved and cannot change`);
      const runId = existing?.id ?? newId();
      await inTransaction(db, async (tx) => {
        const now = clock.now();
        const run = await runStore.lockRunOfMonth(tx, caller.tenantId, month);
        if (run?.status === 'approved') throw new Conflict(`The pay run for ${month} is approved and cannot change`);
        // In the transaction: a start refused here (approved meanwhile, a duplicate) leaves no job to run for nothing.
        const job = await jobs.enqueue(PAY_RUN_JOB, { tenantId: caller.tenantId, payload: { runId: run?.id ?? runId } satisfies PayRunPayload, tx });
        const values = { status: 'computing' as const, jobId: job.id, startedBy: caller.viewer.userId, employeesDone: 0, problems: null, updatedAt: now };
        if (run) await runStore.updateOpenRun(tx, caller.tenantId, run.id, values);
        else
          await runStore
            .insertRun(tx, { id: runId, tenantId: caller.tenantId, month, employeesTotal: 0, createdAt: now, ...values })
            .catch((error: unknown) => {
              if (duplicateKeyOf(error) !== undefined) throw new Conflict(`A pay run for ${month} was just started`);
              throw error;
            });
        await audit.recordFor(tx, caller.context, 'pay_run.started', { type: 'pay_run', id: run?.id ?? runId }, { month, rerun: !!run });
      });
      return runId;
    },

    /** Approves a computed run: locks it for good. Maker-checker as `mayApprove` says. */
    async approveRun(caller: Caller, runId: string): Promise<void> {
      await runOf(caller, runId);
      await inTransaction(db, async (tx) => {
        const run = (await runStore.lockRun(tx, caller.tenantId, runId))!;
        if (run.status === 'approved') throw new Conflict(`The pay run for ${run.month} is already approved`);
        if (run.status !== 'computed') throw new Conflict(`The pay run for ${run.month} is not computed yet`);
        if (!(await mayApprove(caller, run))) throw new Forbidden('Another owner or HR admin must approve this run: you started it (maker-checker)');
        const now = clock.now();
        await runStore.updateOpenRun(tx, caller.tenantId, runId, { status: 'approved', approvedBy: caller.viewer.userId, approvedAt: now, updatedAt: now });
        await audit.recordFor(tx, caller.context, 'pay_run.approved', { type: 'pay_run', id: runId }, { month: run.month });
      });
    },

    /** The run page: status, the job's progress, the pre-run check (until approved), the register once computed. */
    async runPage(caller: Caller, runId: string) {
      const run = await runOf(caller, runId);
      const job = run.jobId ? await jobs.progress(caller.tenantId, run.jobId) : undefined;
      const final = run.status === 'computed' || run.status === 'approved';
      // Payslips of a run still computing (or one whose job crashed) are never shown: they are not final.
      const register = final ? await runStore.registerOf(db, caller.tenantId, runId) : [];
      const totals = register.reduce(
        (sum, p) => ({
          gross: sum.gross + p.gross,
          totalDeductions: sum.totalDeductions + p.totalDeductions,
          net: sum.net + p.net,
          employerCost: sum.employerCost + p.employerCost,
        }),
        { gross: 0, totalDeductions: 0, net: 0, employerCost: 0 },
      );
      // The check costs as much as reading the month for the run: not on every refresh while computing, and
      // pointless once the month is locked.
      const checks = run.status === 'computed' || run.status === 'draft' ? (await workOutMonth(db, caller.tenantId, run.month)).flatMap((w) => w.problems) : [];
      return {
        run,
        job,
        register: register.map((p) => ({ ...p, lopDays: p.lopHalfDays / 2 })),
        totals,
        checks,
        skipped: run.problems ? (JSON.parse(run.problems) as EmployeeProblem[]) : [],
        canApprove: run.status === 'computed' && (await mayApprove(caller, run)),
        // Issue 18 item 5: who the approved run's bank file and ECR leave out.
        leftOut: run.status === 'approved' ? await leftOutOfFiles(db, caller.tenantId, runId) : null,
      };
    },
  };
}

export type PayRuns = ReturnType<typeof payRunUseCases>;
