import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isIsoDate, istDay, weekday, type IsoDate, type IsoMonth } from '../../platform/clock/index.js';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS } from '../access/index.js';
import type { Days } from './days.js';
import type { DayRecord, MonthSummary } from './rules/days.js';
import type { RegularisationRow } from './schema.js';
import { shiftMonth } from './reports.js';
import { istClock } from './time-text.js';

const HR = { access: { allow: ROLE_GROUPS.peopleAdmins, scope: 'company' } } as const;
const SELF = { access: { signedIn: true, scope: 'self' } } as const;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const clockTime = z.string({ error: 'must be a time HH:MM' }).trim().regex(HH_MM, 'must be a time HH:MM (24-hour, IST)');
const isoDate = z.string({ error: 'must be a date YYYY-MM-DD' }).trim().refine(isIsoDate, 'must be a real date YYYY-MM-DD');
const reason = z.string({ error: 'is required' }).trim().min(5, 'must say why (at least 5 characters)').max(500, 'must be at most 500 characters');
/** A number typed in a form: blank or text is refused with the field's name, never read as 0. */
const formNumber = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number({ error: 'must be a number' }));
/** Checkboxes: absent, one value or several. */
const checked = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const weekdayValue = z.preprocess(Number, z.number().int().min(0, 'is not a weekday').max(6, 'is not a weekday'));

const shiftForm = z
  .object({
    start: clockTime,
    end: clockTime,
    graceMinutes: formNumber,
    halfDayHours: formNumber,
    fullDayHours: formNumber,
    weeklyOffs: z.preprocess(checked, z.array(weekdayValue)),
    monthlyOffWeekday: z.preprocess((v) => (v === '' || v === undefined ? null : v), weekdayValue.nullable()),
    monthlyOffWeeks: z.preprocess(checked, z.array(z.preprocess(Number, z.number().int().min(1, 'weeks are 1 to 5').max(5, 'weeks are 1 to 5')))),
  })
  .superRefine((form, ctx) => {
    if (form.monthlyOffWeekday === null && form.monthlyOffWeeks.length > 0)
      ctx.addIssue({ code: 'custom', path: ['monthlyOffWeekday'], message: 'choose the weekday the monthly offs fall on' });
    if (form.monthlyOffWeekday !== null && form.monthlyOffWeeks.length === 0)
      ctx.addIssue({ code: 'custom', path: ['monthlyOffWeeks'], message: 'choose which weeks of the month are off' });
  })
  .transform(({ monthlyOffWeekday, monthlyOffWeeks, ...rules }) => ({
    ...rules,
    monthlyOffs: monthlyOffWeekday === null ? [] : [{ weekday: monthlyOffWeekday, weeks: monthlyOffWeeks }],
  }));
const holidayForm = z.object({
  date: isoDate,
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
});
const holidayRemoval = z.object({ date: isoDate });
const monthQuery = z.object({
  month: z
    .string()
    .regex(/^(19|20)\d\d-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')
    .optional(),
  date: z.string().optional(),
});
const regularisationForm = z.object({ date: isoDate, firstIn: clockTime, lastOut: clockTime, reason });
const hrPunchForm = z.object({
  employeeCode: z.string({ error: 'is required' }).trim().min(1, 'is required').max(20, 'must be at most 20 characters'),
  date: isoDate,
  time: clockTime,
  direction: z.enum(['in', 'out'], { error: 'must be in or out' }),
  reason,
});

const hours = (minutes: number) => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;

const STATUS_LABELS: Record<DayRecord['status'], string> = {
  present: 'Present',
  half_day: 'Half day',
  absent: 'Absent',
  on_leave: 'On leave',
  weekly_off: 'Weekly off',
  holiday: 'Holiday',
  not_employed: 'Not employed',
  upcoming: 'Upcoming',
};

/** One calendar cell: what the employee reads about a day, and whether they may ask to correct it. */
function dayCell(day: DayRecord, pending: RegularisationRow | undefined, today: IsoDate, month: IsoMonth) {
  const correctable = day.date <= today && (day.missingPunch || day.status === 'absent' || day.status === 'half_day');
  return {
    date: day.date,
    dayOfMonth: Number(day.date.slice(8)),
    status: day.status,
    label:
      day.status === 'holiday'
        ? (day.holidayName ?? 'Holiday')
        : STATUS_LABELS[day.status] + (day.leavePortion && day.leavePortion !== 'full' ? ' (half)' : ''),
    firstIn: istClock(day.firstIn, day.date),
    lastOut: istClock(day.lastOut, day.date),
    worked: day.firstIn && day.lastOut ? hours(day.workedMinutes) : '',
    lateMinutes: day.lateMinutes,
    missingPunch: day.missingPunch,
    regularised: day.regularised,
    pending: pending !== undefined,
    requestHref: correctable && !pending ? `/attendance/me?month=${month}&date=${day.date}#regularise` : null,
  };
}

/** The month as weeks of Monday-to-Sunday cells (null outside the month). */
function calendarWeeks(summary: MonthSummary, requests: RegularisationRow[], today: IsoDate) {
  const pending = new Map(requests.filter((r) => r.status === 'pending').map((r) => [r.date, r]));
  const cells: (ReturnType<typeof dayCell> | null)[] = Array.from({ length: (weekday(summary.days[0]!.date) + 6) % 7 }, () => null);
  for (const day of summary.days) cells.push(dayCell(day, pending.get(day.date), today, summary.month));
  while (cells.length % 7 !== 0) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
}

/** HR's shift settings, the employee's own month with regularisation requests, punches HR records. */
export async function dayRoutes(app: FastifyInstance, options: { days: Days }): Promise<void> {
  const { days } = options;

  app.get('/attendance/shift', { config: HR }, async (request, reply) => {
    const rules = await days.shiftRules(callerOf(request));
    return reply.view('attendance/shift.njk', { title: 'Shift and holidays', rules, weekdays: WEEKDAYS, weeks: [1, 2, 3, 4, 5] });
  });

  app.post('/attendance/shift', { config: HR }, async (request, reply) => {
    await days.saveShiftRules(callerOf(request), parseInput(shiftForm, request.body));
    reply.flash('success', 'Shift rules saved.');
    return reply.redirect('/attendance/shift', 303);
  });

  app.post('/attendance/shift/holidays', { config: HR }, async (request, reply) => {
    const holiday = parseInput(holidayForm, request.body);
    await days.addHoliday(callerOf(request), holiday);
    reply.flash('success', `Holiday added: ${holiday.name} on ${holiday.date}.`);
    return reply.redirect('/attendance/shift', 303);
  });

  app.post('/attendance/shift/holidays/remove', { config: HR }, async (request, reply) => {
    const { date } = parseInput(holidayRemoval, request.body);
    await days.removeHoliday(callerOf(request), date);
    reply.flash('success', `Holiday on ${date} removed.`);
    return reply.redirect('/attendance/shift', 303);
  });

  app.get('/attendance/me', { config: SELF }, async (request, reply) => {
    const query = parseInput(monthQuery, request.query);
    const month = query.month ?? days.currentMonth();
    const mine = await days.ownMonth(callerOf(request), month);
    if (!mine) return reply.view('attendance/me.njk', { title: 'My attendance', mine: null });
    const today = istDay(mine.now);
    return reply.view('attendance/me.njk', {
      title: 'My attendance',
      mine,
      month,
      monthLabel: new Date(`${month}-01T00:00:00Z`).toLocaleString('en-IN', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
      previous: shiftMonth(month, -1),
      next: shiftMonth(month, 1),
      weekdayHeads: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
      weeks: calendarWeeks(mine.summary, mine.requests, today),
      totals: mine.summary.totals,
      requests: mine.requests.map((r) => ({ ...r, firstInText: istClock(r.firstIn, r.date), lastOutText: istClock(r.lastOut, r.date) })),
      requestDate: query.date && isIsoDate(query.date) ? query.date : '',
      today,
    });
  });

  app.post('/attendance/me/regularisations', { config: SELF }, async (request, reply) => {
    const input = parseInput(regularisationForm, request.body);
    await days.requestRegularisation(callerOf(request), input);
    reply.flash('success', `Regularisation requested for ${input.date}: your department head or HR will decide.`);
    return reply.redirect(`/attendance/me?month=${input.date.slice(0, 7)}`, 303);
  });

  app.get('/attendance/punches/new', { config: HR }, async (_request, reply) =>
    reply.view('attendance/punch-new.njk', { title: 'Record a punch', today: istDay(days.now()) }),
  );

  app.post('/attendance/punches', { config: HR }, async (request, reply) => {
    const recorded = await days.recordPunchByHr(callerOf(request), parseInput(hrPunchForm, request.body));
    reply.flash('success', `Punch recorded for ${recorded.employee.fullName} (${recorded.employee.code}).`);
    return reply.redirect('/attendance/punches', 303);
  });
}
