import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import type { Attendance } from './service.js';
import { PIN_PATTERN } from './input.js';

const HR = { access: { allow: ROLE_GROUPS.peopleAdmins } } as const;
const SELF = { access: { signedIn: true, scope: 'self' } } as const;
const pinInput = z
  .object({
    pin: z.string().regex(PIN_PATTERN, 'must be 4 to 6 digits'),
    confirm: z.string(),
  })
  .refine((v) => v.pin === v.confirm, { path: ['confirm'], message: 'does not match the PIN' });
const kioskParams = z.object({ kioskId: z.string().uuid('is not a kiosk id') });
const kioskInput = z.object({
  name: z.string().trim().min(1, 'is required').max(120, 'must be at most 120 characters'),
  location: z.preprocess((v) => (v === '' ? null : v), z.string().trim().max(200, 'must be at most 200 characters').nullable().default(null)),
});
// kiosk.md: threshold tunable 0.35–0.55 (default 0.42); a margin of 0 would accept ties, above 0.2 refuse nearly all.
const settingsInput = z.object({
  matchThreshold: z.coerce.number().min(0.35, 'must be at least 0.35').max(0.55, 'must be at most 0.55'),
  matchMargin: z.coerce.number().min(0.02, 'must be at least 0.02').max(0.2, 'must be at most 0.2'),
  livenessThreshold: z.coerce.number().min(0.5, 'must be at least 0.5').max(1, 'must be at most 1'),
});
const employeeCodeInput = z.object({ employeeCode: z.string().trim().min(1, 'is required').max(20, 'must be at most 20 characters') });

/** HR's kiosk page: create (one-time pairing code), revoke, open face enrolment, withdraw face data. */
export async function attendanceRoutes(app: FastifyInstance, options: { attendance: Attendance }): Promise<void> {
  const { attendance } = options;

  async function kiosksPage(request: Parameters<typeof callerOf>[0], extra: Record<string, unknown> = {}) {
    const caller = callerOf(request);
    const [kiosks, settings, nearMisses] = await Promise.all([attendance.listKiosks(caller), attendance.settings(caller), attendance.nearMisses(caller)]);
    const nearMissRows = kiosks.flatMap((k) => {
      const counts = nearMisses.byKiosk.get(k.id);
      return counts ? [{ name: k.name, counts }] : [];
    });
    return { title: 'Kiosks', kiosks, settings, nearMisses: { ...nearMisses, rows: nearMissRows }, ...extra };
  }

  app.get('/attendance/kiosks', { config: HR }, async (request, reply) => reply.view('attendance/kiosks.njk', await kiosksPage(request)));

  // The pairing code is shown on this response only (no redirect: it is never stored in clear).
  app.post('/attendance/kiosks', { config: HR }, async (request, reply) => {
    const input = parseInput(kioskInput, request.body);
    const created = await attendance.createKiosk(callerOf(request), input);
    reply.header('cache-control', 'no-store');
    return reply.view('attendance/kiosks.njk', await kiosksPage(request, { created: { name: input.name, ...created } }));
  });

  app.post('/attendance/kiosks/:kioskId/revoke', { config: HR }, async (request, reply) => {
    const { kioskId } = parseInput(kioskParams, request.params);
    await attendance.revokeKiosk(callerOf(request), kioskId);
    reply.flash('success', 'Kiosk revoked: its requests are refused from now on.');
    return reply.redirect('/attendance/kiosks', 303);
  });

  app.post('/attendance/settings', { config: HR }, async (request, reply) => {
    await attendance.setMatchRule(callerOf(request), parseInput(settingsInput, request.body));
    reply.flash('success', 'Recognition settings saved.');
    return reply.redirect('/attendance/kiosks', 303);
  });

  app.post('/attendance/enrolments', { config: HR }, async (request, reply) => {
    const { employeeCode } = parseInput(employeeCodeInput, request.body);
    const { employee } = await attendance.openEnrolment(callerOf(request), employeeCode);
    reply.flash('success', `Face enrolment open for ${employee.fullName} (${employee.code}) for 15 minutes: ask them to go to a kiosk.`);
    return reply.redirect('/attendance/kiosks', 303);
  });

  // Every employee's own kiosk PIN, the fallback for those who do not enrol a face.
  app.get('/attendance/pin', { config: SELF }, async (_request, reply) => reply.view('attendance/pin.njk', { title: 'Kiosk PIN' }));

  app.post('/attendance/pin', { config: SELF }, async (request, reply) => {
    const { pin } = parseInput(pinInput, request.body);
    await attendance.setOwnPin(callerOf(request), pin);
    reply.flash('success', 'Your kiosk PIN is set.');
    return reply.redirect('/attendance/pin', 303);
  });

  app.post('/attendance/enrolments/withdraw', { config: HR }, async (request, reply) => {
    const { employeeCode } = parseInput(employeeCodeInput, request.body);
    const deleted = await attendance.withdrawFace(callerOf(request), employeeCode);
    reply.flash('success', `Face data deleted (${deleted} samples).`);
    return reply.redirect('/attendance/kiosks', 303);
  });
}
