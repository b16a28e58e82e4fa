import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { Browserish } from './auth.js';
import { sendForm } from './days.js';
import { workedDay } from './punches.js';
import { datesBetween, istMonthBounds, weekday } from '../../src/platform/clock/index.js';
import { upsertStructure } from '../../src/modules/payroll/store.js';
import type { Db } from '../../src/platform/db/client.js';

/**
 * Pay run set-up for the payroll integration tests that need a computed or approved run: a salary structure
 * from a month, punches for a month, a run started by a form.
 */
export async function setSalary(db: Db, tenantId: string, templateId: string, employeeId: string, month: string, annualCtc: number): Promise<void> {
  await upsertStructure(db, tenantId, employeeId, `${month}-01`, {
    templateId,
    annualCtc,
    basicOverride: null,
    hraOverride: null,
    da: 0,
    allowances: '{}',
    pfMode: 'restricted',
    setBy: tenantId,
  });
}

/** Punches in and out on every working day (Monday to Saturday, the default shift) of the month, but `absent`. */
export function fullMonth(employeeId: string, month: string, absent: readonly string[] = []) {
  const { firstDay, lastDay } = istMonthBounds(month);
  return datesBetween(firstDay, lastDay)
    .filter((day) => weekday(day) !== 0 && !absent.includes(day))
    .flatMap((day) => workedDay(employeeId, day, '09:20', '18:40'));
}

/** Starts the month's run through the form and returns its id. */
export async function startRun(app: FastifyInstance, jar: Browserish, month: string): Promise<string> {
  const res = await sendForm(app, jar, '/payroll/runs', { month });
  expect(res.statusCode, res.body).toBe(303);
  return String(res.headers.location).split('/').pop()!;
}
