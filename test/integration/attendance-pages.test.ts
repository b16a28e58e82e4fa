import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { insertPunches, istAt, workedDay, type PunchSpec } from '../support/punches.js';
import { datesBetween, weekday } from '../../src/platform/clock/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { kioskRejections, kiosks, monthSummariesOf } from '../../src/modules/attendance/index.js';
import { KIOSK_LIMITS } from '../../src/modules/attendance/service.js';

// Tuesday 15 December 2026, 12:00 IST: the shift (default 09:30–18:30, 15 minutes' grace) is running.
const NOON = istAt('2026-12-15', '12:00');
const clock = testClock(NOON);
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

type Person = factories.FactoryEmployee;
const A = {} as {
  id: string;
  engineering: string;
  sales: string;
  e1: Person;
  e2: Person;
  e3: Person;
  e4: Person;
  leaver: Person;
  s1: Person;
  emails: Record<'hr' | 'owner' | 'finance' | 'employee' | 'engHead' | 'salesHead', string>;
};
const B = {} as { id: string; department: string; b1: Person; hr: string };
const as = (email: string): Promise<Browserish> => sessionFor(t.app, email);
const json = { accept: 'application/json' };

/** The body of the table whose wrapper has this id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, `section ${id}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</table>', start));
}
const namesIn = (html: string) => [...html.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);

/** An employee's row of the month grid: the code of each day and the totals. */
function gridRow(html: string, code: string) {
  const at = html.indexOf(`<span class="code">${code}</span>`);
  if (at < 0) return undefined;
  const row = html.slice(at, html.indexOf('</tr>', at));
  const totals = Object.fromEntries([...row.matchAll(/data-total="(\w+)">([^<]*)</g)].map((m) => [m[1], Number(m[2])]));
  return {
    codes: [...row.matchAll(/<td class="cell ([^"]*)">([^<]*)<\/td>/g)].map((m) => m[2]),
    late: [...row.matchAll(/class="cell [^"]*late"/g)].length,
    totals,
  };
}

beforeAll(async () => {
  const acme = await factories.company(db());
  A.id = acme.id;
  A.engineering = (await factories.department(db(), acme.id, { name: 'Engineering' })).id;
  A.sales = (await factories.department(db(), acme.id, { name: 'Sales' })).id;
  const eng = { departmentId: A.engineering };
  A.e1 = await factories.employee(t.app, acme.id, { ...eng, code: 'ENG01', fullName: 'Asha Rao', dateOfJoining: '2025-01-01' });
  A.e2 = await factories.employee(t.app, acme.id, { ...eng, code: 'ENG02', fullName: 'Bilal Khan', dateOfJoining: '2025-01-01' });
  A.e3 = await factories.employee(t.app, acme.id, { ...eng, code: 'ENG03', fullName: 'Chitra Iyer', dateOfJoining: '2025-01-01' });
  A.e4 = await factories.employee(t.app, acme.id, { ...eng, code: 'ENG04', fullName: 'Dev Patel', dateOfJoining: '2026-11-16' });
  A.leaver = await factories.employee(t.app, acme.id, {
    ...eng,
    code: 'ENG05',
    fullName: 'Esha Left',
    dateOfJoining: '2025-01-01',
    dateOfLeaving: '2026-11-30',
  });
  A.s1 = await factories.employee(t.app, acme.id, { departmentId: A.sales, code: 'SAL01', fullName: 'Farah Sales', dateOfJoining: '2025-01-01' });
  const role = async (r: 'hr_admin' | 'owner' | 'finance' | 'employee') =>
    (await factories.user(db(), acme.id, { role: r, employeeId: r === 'employee' ? A.e3.id : null })).email;
  A.emails = {
    hr: await role('hr_admin'),
    owner: await role('owner'),
    finance: await role('finance'),
    employee: await role('employee'),
    engHead: (await factories.departmentHead(db(), acme.id, A.engineering)).email,
    salesHead: (await factories.departmentHead(db(), acme.id, A.sales)).email,
  };

  const globex = await factories.company(db());
  B.id = globex.id;
  B.department = (await factories.department(db(), globex.id, { name: 'Globex Ops' })).id;
  B.b1 = await factories.employee(t.app, globex.id, { departmentId: B.department, code: 'GLX01', fullName: 'Gita Globex' });
  B.hr = (await factories.user(db(), globex.id, { role: 'hr_admin' })).email;

  // November 2026, hand-built. Working days are Monday to Saturday (default rules: Sundays off).
  const november = datesBetween('2026-11-01', '2026-11-30').filter((d) => weekday(d) !== 0);
  const e1: PunchSpec[] = [];
  for (const date of november) {
    if (date === '2026-11-03')
      e1.push(...workedDay(A.e1.id, date, '10:00', '18:40')); // 30 minutes late, full day
    else if (date === '2026-11-04')
      e1.push(...workedDay(A.e1.id, date, '09:30', '14:00')); // 4.5 h: half day
    else if (date === '2026-11-05')
      continue; // absent
    else if (date === '2026-11-06')
      e1.push({ employeeId: A.e1.id, at: istAt(date, '09:20') }); // one punch: absent, missing punch
    else e1.push(...workedDay(A.e1.id, date, '09:25', '18:35'));
  }
  // A punch at 00:30 IST on 1 December is December's, not November's.
  e1.push({ employeeId: A.e1.id, at: istAt('2026-12-01', '00:30') });
  const e4 = november.filter((d) => d >= '2026-11-16').flatMap((d) => workedDay(A.e4.id, d, '09:30', '18:30', 'pin'));
  // Today: Asha in on time by face, Bilal 32 minutes late by PIN, Farah (Sales) in at 09:40, within grace.
  const today: PunchSpec[] = [
    { employeeId: A.e1.id, at: istAt('2026-12-15', '09:20'), distance: 0.3123, livenessScore: 0.93 },
    { employeeId: A.e2.id, at: istAt('2026-12-15', '10:02'), method: 'pin' },
    { employeeId: A.s1.id, at: istAt('2026-12-15', '09:40') },
  ];
  await insertPunches(db(), A.id, [...e1, ...e4, ...today]);
  await insertPunches(db(), B.id, [{ employeeId: B.b1.id, at: istAt('2026-12-15', '09:00') }]);
});

describe("today's board", () => {
  it('shows HR who is in (time, method), late, not yet in, absent after the shift, and nobody who has left', async () => {
    const res = await getPage(t.app, await as(A.emails.hr), '/attendance/today');
    expect(res.statusCode).toBe(200);
    const inTable = section(res.body, 'in');
    expect(namesIn(inTable)).toEqual(['Asha Rao', 'Farah Sales', 'Bilal Khan']); // by first in
    expect(inTable).toMatch(/Asha Rao<\/th><td>Engineering<\/td>\s*<td>09:20<\/td>\s*<td>Face<\/td>/);
    expect(inTable).toMatch(/Bilal Khan<\/th><td>Engineering<\/td>\s*<td>10:02<\/td>\s*<td>PIN<\/td>\s*<td class="num">32 min<\/td>/);
    expect(namesIn(section(res.body, 'late'))).toEqual(['Bilal Khan']);
    expect(namesIn(section(res.body, 'not-yet-in'))).toEqual(['Chitra Iyer', 'Dev Patel']);
    expect(namesIn(section(res.body, 'absent'))).toEqual([]);
    expect(res.body).toContain('<strong data-count="in">3</strong>');
    expect(res.body).toContain('<strong data-count="late">1</strong>');
    expect(res.body).not.toContain('Esha Left');
    expect(res.body).not.toContain('Gita Globex');

    clock.set(istAt('2026-12-15', '19:00')); // the shift has ended
    try {
      const evening = await getPage(t.app, await as(A.emails.hr), '/attendance/today');
      expect(namesIn(section(evening.body, 'absent'))).toEqual(['Chitra Iyer', 'Dev Patel']);
      expect(namesIn(section(evening.body, 'not-yet-in'))).toEqual([]);
    } finally {
      clock.set(NOON);
    }
  });

  it('filters by department, and puts everyone off on a Sunday', async () => {
    const hr = await as(A.emails.hr);
    const sales = await getPage(t.app, hr, `/attendance/today?department=${A.sales}`);
    expect(namesIn(section(sales.body, 'in'))).toEqual(['Farah Sales']);
    expect(sales.body).not.toContain('Asha Rao');
    clock.set(istAt('2026-12-13', '12:00')); // a Sunday
    try {
      const sunday = await getPage(t.app, hr, '/attendance/today');
      expect(namesIn(section(sunday.body, 'off'))).toEqual(['Asha Rao', 'Bilal Khan', 'Chitra Iyer', 'Dev Patel', 'Farah Sales']);
      expect(namesIn(section(sunday.body, 'not-yet-in'))).toEqual([]);
    } finally {
      clock.set(NOON);
    }
  });

  it('shows a department head only the departments they head, on the same route', async () => {
    const head = await as(A.emails.engHead);
    const res = await getPage(t.app, head, '/attendance/today');
    expect(res.statusCode).toBe(200);
    expect(namesIn(section(res.body, 'in'))).toEqual(['Asha Rao', 'Bilal Khan']);
    expect(res.body).not.toContain('Farah Sales');
    expect(res.body).not.toContain('>Sales</option>');
    const salesHead = await getPage(t.app, await as(A.emails.salesHead), '/attendance/today');
    expect(namesIn(section(salesHead.body, 'in'))).toEqual(['Farah Sales']);
  });

  it("refuses another team's or company's department with a 404 naming the field, and a malformed one with a 400", async () => {
    const head = await as(A.emails.engHead);
    for (const [jar, department] of [
      [head, A.sales],
      [await as(A.emails.hr), B.department],
      [await as(A.emails.hr), newId()],
    ] as const) {
      const res = await getPage(t.app, jar, `/attendance/today?department=${department}`, json);
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toMatch(/^department:/);
    }
    const bad = await getPage(t.app, head, '/attendance/today?department=sales', json);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems).toEqual([{ field: 'department', message: 'is not a department' }]);
  });

  it('gives employees and finance nothing; anonymous is sent to sign in', async () => {
    for (const email of [A.emails.employee, A.emails.finance]) {
      for (const url of ['/attendance/today', '/attendance/month', '/attendance/punches']) {
        expect((await getPage(t.app, await as(email), url)).statusCode, `${email} ${url}`).toBe(403);
      }
    }
    const anonymous = await getPage(t.app, { cookie: '' }, '/attendance/month');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/);
  });
});

describe('the month grid', () => {
  it('shows each day and total exactly as monthSummariesOf computes them for payroll', async () => {
    const res = await getPage(t.app, await as(A.emails.hr), `/attendance/month?month=2026-11&department=${A.engineering}`);
    expect(res.statusCode).toBe(200);
    const staff = [A.e1, A.e2, A.e3, A.e4, A.leaver].map((e) => ({ id: e.id, dateOfJoining: e.dateOfJoining, dateOfLeaving: e.dateOfLeaving ?? null }));
    const summaries = await monthSummariesOf(db(), A.id, staff, '2026-11', clock.now());
    const codeOf: Record<string, string> = {
      present: 'P',
      half_day: '½',
      absent: 'A',
      on_leave: 'L',
      weekly_off: 'WO',
      holiday: 'H',
      not_employed: '–',
      upcoming: '·',
    };
    for (const person of [A.e1, A.e2, A.e3, A.e4, A.leaver]) {
      const summary = summaries.get(person.id)!;
      const row = gridRow(res.body, person.code)!;
      expect(row.codes, person.code).toEqual(summary.days.map((d) => codeOf[d.status]));
      expect(row.totals, person.code).toEqual({
        present: summary.totals.present,
        paidLeave: summary.totals.paidLeave,
        lopDays: summary.totals.lopDays,
        lateDays: summary.totals.lateDays,
      });
    }
    // And by hand: 25 working days; Asha late on the 3rd, a half day on the 4th, absent on the 5th and 6th.
    const asha = gridRow(res.body, 'ENG01')!;
    expect(asha.totals).toEqual({ present: 22.5, paidLeave: 0, lopDays: 2.5, lateDays: 1 });
    expect(asha.codes.slice(0, 8)).toEqual(['WO', 'P', 'P', '½', 'A', 'A', 'P', 'WO']);
    expect(asha.late).toBe(1);
    expect(gridRow(res.body, 'ENG02')!.totals).toEqual({ present: 0, paidLeave: 0, lopDays: 25, lateDays: 0 });
    const dev = gridRow(res.body, 'ENG04')!;
    expect(dev.codes.slice(0, 15).every((c) => c === '–')).toBe(true);
    expect(dev.totals).toEqual({ present: 13, paidLeave: 0, lopDays: 0, lateDays: 0 });
    expect(gridRow(res.body, 'SAL01')).toBeUndefined();
    const teamLop = [...summaries.values()].reduce((total, s) => total + s.totals.lopDays, 0);
    expect(res.body).toContain(`<td class="num" data-team-total="lopDays">${teamLop}</td>`);
  });

  it('draws the daily rate as an SVG with the same numbers as a table, a legend, captions and month links', async () => {
    const res = await getPage(t.app, await as(A.emails.hr), `/attendance/month?month=2026-11&department=${A.engineering}`);
    expect(res.body).toMatch(/<svg [^>]*role="img" aria-labelledby="daily-rate-title daily-rate-desc"/);
    // 2 November: Asha present; Bilal, Chitra and Esha (leaves on the 30th) absent; Dev not yet employed: 1 of 4 expected.
    expect(res.body).toMatch(/<th scope="row">02 Nov 2026<\/th><td class="num">1<\/td><td class="num">4<\/td><td class="num">25%<\/td>/);
    expect(res.body).toMatch(/<th scope="row">01 Nov 2026<\/th><td class="num">0<\/td><td class="num">0<\/td><td class="num">—<\/td>/);
    expect([...res.body.matchAll(/<rect class="bar"/g)]).toHaveLength(25); // no bar on the five Sundays
    expect(res.body).toContain('<caption>5 people in Engineering, November 2026');
    expect(res.body).toContain('<dt>WO</dt><dd>Weekly off</dd>');
    expect(res.body).toContain(`href="/attendance/month?month=2026-10&amp;department=${A.engineering}" rel="prev"`);
    expect(res.body).toContain(`href="/attendance/month?month=2026-12&amp;department=${A.engineering}" rel="next"`);
  });

  it('defaults to the running month, judged up to yesterday: later days are not yet absent', async () => {
    const res = await getPage(t.app, await as(A.emails.hr), '/attendance/month');
    expect(res.body).toContain('Attendance, December 2026');
    const chitra = gridRow(res.body, 'ENG03')!;
    expect(chitra.codes.slice(12, 16)).toEqual(['WO', 'A', '·', '·']); // Sunday 13th, Monday 14th judged; today (15th) onwards not yet
    expect(chitra.totals.lopDays).toBe(12); // 1–14 December: 12 working days, all absent
  });

  it('scopes a department head to their team and refuses bad months and departments, never a 500', async () => {
    const head = await as(A.emails.engHead);
    const own = await getPage(t.app, head, '/attendance/month?month=2026-11');
    expect(gridRow(own.body, 'ENG01')).toBeDefined();
    expect(gridRow(own.body, 'SAL01')).toBeUndefined();
    for (const month of ['2026-13', '2026-1', 'abc', '1999-12', '2026-11-01', "2026-11'"]) {
      const res = await getPage(t.app, head, `/attendance/month?month=${encodeURIComponent(month)}`, json);
      expect(res.statusCode, month).toBe(400);
      expect(res.json().problems[0].field).toBe('month');
    }
    const other = await getPage(t.app, head, `/attendance/month?month=2026-11&department=${A.sales}`, json);
    expect(other.statusCode).toBe(404);
    expect(other.json().message).toMatch(/^department:/);
    const globex = await getPage(t.app, await as(B.hr), `/attendance/month?department=${A.engineering}`, json);
    expect(globex.statusCode).toBe(404);
    const arrays = await getPage(t.app, head, '/attendance/month?month=2026-11&month=2026-10', json);
    expect(arrays.statusCode).toBe(400);
  });
});

describe('the punch log', () => {
  let kioskId: string;
  beforeAll(async () => {
    kioskId = newId();
    await db().insert(kiosks).values({ id: kioskId, tenantId: A.id, name: 'Front door', status: 'active' });
    const globexKiosk = newId();
    await db().insert(kiosks).values({ id: globexKiosk, tenantId: B.id, name: 'Globex gate', status: 'active' });
    const windowAt = (date: string, time: string) => Math.floor(istAt(date, time).getTime() / KIOSK_LIMITS.burstWindowMs);
    await db()
      .insert(kioskRejections)
      .values([
        { tenantId: A.id, kioskId, code: 'not_recognized', windowStart: windowAt('2026-12-15', '09:05'), count: 3 },
        { tenantId: A.id, kioskId, code: 'not_recognized', windowStart: windowAt('2026-12-15', '10:05'), count: 2 },
        { tenantId: A.id, kioskId, code: 'liveness_failed', windowStart: windowAt('2026-12-14', '09:05'), count: 4 },
        { tenantId: A.id, kioskId, code: 'bad_signature', windowStart: windowAt('2026-11-20', '09:05'), count: 9 },
        { tenantId: B.id, kioskId: globexKiosk, code: 'not_recognized', windowStart: windowAt('2026-12-15', '09:05'), count: 7 },
      ]);
  });

  it('shows method, match distance and liveness of each punch, filtered by date and employee code', async () => {
    const hr = await as(A.emails.hr);
    const day = await getPage(t.app, hr, '/attendance/punches?date=2026-12-15');
    expect(day.statusCode).toBe(200);
    expect(day.body).toMatch(/Asha Rao \(ENG01\)<\/td>\s*<td>in<\/td>\s*<td>Face<\/td>\s*<td class="num">0.3123<\/td>\s*<td class="num">0.93<\/td>/);
    expect(day.body).toMatch(/Bilal Khan \(ENG02\)<\/td>\s*<td>in<\/td>\s*<td>PIN<\/td>\s*<td class="num">—<\/td>\s*<td class="num">—<\/td>/);
    expect(day.body).toContain('<caption>3 punches on 15 Dec 2026');
    expect(day.body).not.toContain('Gita Globex');
    const one = await getPage(t.app, hr, '/attendance/punches?date=2026-11-03&employeeCode=ENG01');
    expect([...one.body.matchAll(/ENG01\)<\/td>/g)]).toHaveLength(2);
    expect(one.body).toContain('03 Nov 2026, 10:00 IST');
    const recent = await getPage(t.app, hr, '/attendance/punches');
    expect(recent.body).toContain('<caption>3 punches from 09 Dec 2026 to 15 Dec 2026, newest first');
    const asha = await getPage(t.app, hr, '/attendance/punches?employeeCode=ENG01'); // 47 in November, 00:30 on 1 December, this morning
    expect(asha.body).toContain('<caption>49 punches of ENG01, newest first');
    const none = await getPage(t.app, hr, '/attendance/punches?employeeCode=NOBODY');
    expect(none.body).toContain('No punches match.');
  });

  it("counts each kiosk's refusals: the chosen day, or the last seven days, never another company's", async () => {
    const hr = await as(A.emails.hr);
    const refusals = (html: string) =>
      [...section(html, 'refusals').matchAll(/<tr><td>([^<]*)<\/td><td><code>(\w+)<\/code><\/td><td class="num">(\d+)<\/td><\/tr>/g)].map(
        (m) => `${m[1]} ${m[2]} ${m[3]}`,
      );
    expect(refusals((await getPage(t.app, hr, '/attendance/punches?date=2026-12-15')).body)).toEqual(['Front door not_recognized 5']);
    expect(refusals((await getPage(t.app, hr, '/attendance/punches')).body)).toEqual(['Front door not_recognized 5', 'Front door liveness_failed 4']);
    expect(refusals((await getPage(t.app, hr, '/attendance/punches?date=2026-11-20')).body)).toEqual(['Front door bad_signature 9']);
  });

  it('refuses a bad date naming the field; heads do not see the log', async () => {
    const res = await getPage(t.app, await as(A.emails.hr), '/attendance/punches?date=2026-02-30', json);
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([{ field: 'date', message: 'must be a date YYYY-MM-DD' }]);
    expect((await getPage(t.app, await as(A.emails.engHead), '/attendance/punches')).statusCode).toBe(403);
  });
});
