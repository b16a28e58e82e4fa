import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { postAs, selectRows } from '../support/forms.js';
import { company, department, departmentHead, employee, user } from '../support/factories.js';
import { DEFAULT_LEAVE_POLICY } from '../../src/modules/attendance/index.js';

/** HR's leave policy page (issue 17 item 7): the default until HR saves one, edits audited, codes in use kept. */
const clock = testClock(new Date('2026-05-04T04:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

const storedPolicy = async (tenantId: string) =>
  (await selectRows<{ policy: string }>(t.app, sql`SELECT policy FROM leave_policies WHERE tenant_id = ${tenantId}`))[0]?.policy ?? null;
const auditActions = async (tenantId: string) =>
  await selectRows<{ action: string; details: string }>(
    t.app,
    sql`SELECT action, details FROM audit_events WHERE tenant_id = ${tenantId} AND action LIKE 'leave.%' ORDER BY id`,
  );
const casual = { originalCode: 'CL', code: 'CL', name: 'Casual leave', kind: 'casual', yearlyQuota: '12', credit: 'monthly', carryForwardCap: '0' };

async function world() {
  const acme = await company(db());
  const engineering = await department(db(), acme.id);
  const priya = await employee(t.app, acme.id, { departmentId: engineering.id, dateOfJoining: '2024-01-01' });
  return {
    acme,
    priya,
    hr: await sessionFor(t.app, (await user(db(), acme.id, { role: 'hr_admin' })).email),
    owner: await sessionFor(t.app, (await user(db(), acme.id, { role: 'owner' })).email),
    head: await sessionFor(t.app, (await departmentHead(db(), acme.id, engineering.id)).email),
    finance: await sessionFor(t.app, (await user(db(), acme.id, { role: 'finance' })).email),
    me: await sessionFor(t.app, (await user(db(), acme.id, { role: 'employee', employeeId: priya.id })).email),
  };
}

describe('the leave policy page', () => {
  it('shows the default policy to HR only, and nothing is stored until HR saves', async () => {
    const w = await world();
    const page = await getPage(t.app, w.hr, '/leave/policy');
    expect(page.statusCode).toBe(200);
    for (const type of DEFAULT_LEAVE_POLICY.types) expect(page.body).toContain(`data-leave-type="${type.code}"`);
    expect((await getPage(t.app, w.owner, '/leave/policy')).statusCode).toBe(200);
    for (const jar of [w.head, w.finance, w.me]) {
      expect((await getPage(t.app, jar, '/leave/policy')).statusCode).toBe(403);
      expect((await postAs(t.app, jar, '/leave/policy/types', { ...casual, yearlyQuota: '30' })).statusCode).toBe(403);
      expect((await postAs(t.app, jar, '/leave/policy', { leaveYear: 'april_march' })).statusCode).toBe(403);
    }
    expect(await storedPolicy(w.acme.id)).toBeNull();
    expect(await auditActions(w.acme.id)).toEqual([]);
  });

  it('edits, adds and removes types (audited), and the employee’s page follows', async () => {
    const w = await world();
    // CL 12 → 24 a year: by May 6 (Jan–May) the employee has 10.
    expect((await postAs(t.app, w.hr, '/leave/policy/types', { ...casual, yearlyQuota: '24' })).statusCode).toBe(303);
    expect((await getPage(t.app, w.me, '/leave')).body).toMatch(/data-leave-type="CL">[\s\S]*?<strong>10<\/strong>/);
    // A new type; a lower-case code is taken as capitals.
    const added = await postAs(t.app, w.hr, '/leave/policy/types', {
      code: 'co',
      name: 'Compensatory off',
      kind: 'casual',
      yearlyQuota: '6',
      credit: 'year_start',
    });
    expect(added.statusCode).toBe(303);
    // An unused type may change its code, and go.
    expect(
      (
        await postAs(t.app, w.hr, '/leave/policy/types', {
          originalCode: 'EL',
          code: 'PL',
          name: 'Privilege leave',
          kind: 'earned',
          yearlyQuota: '15',
          credit: 'monthly',
          carryForwardCap: '30',
        })
      ).statusCode,
    ).toBe(303);
    expect((await postAs(t.app, w.hr, '/leave/policy/types/remove', { code: 'SL' })).statusCode).toBe(303);
    const policy = JSON.parse((await storedPolicy(w.acme.id))!);
    expect(policy.types.map((type: { code: string }) => type.code)).toEqual(['CL', 'PL', 'LWP', 'CO']);
    expect(policy.types[0]).toMatchObject({ yearlyQuota: 24 });
    const trail = await auditActions(w.acme.id);
    expect(trail.map((a) => a.action)).toEqual(['leave.type_changed', 'leave.type_added', 'leave.type_changed', 'leave.type_removed']);
    expect(JSON.parse(trail[0]!.details)).toMatchObject({ before: { code: 'CL', yearlyQuota: 12 }, after: { code: 'CL', yearlyQuota: 24 } });
    const page = (await getPage(t.app, w.me, '/leave')).body;
    expect(page).toContain('data-leave-type="CO"');
    expect(page).not.toContain('data-leave-type="SL"');
    // The leave year and the sandwich rule.
    expect((await postAs(t.app, w.hr, '/leave/policy', { leaveYear: 'april_march', sandwich: 'on' })).statusCode).toBe(303);
    expect(JSON.parse((await storedPolicy(w.acme.id))!)).toMatchObject({ leaveYear: 'april_march', sandwich: true });
    expect(JSON.parse((await auditActions(w.acme.id)).at(-1)!.details)).toEqual({
      before: { leaveYear: 'calendar', sandwich: false },
      after: { leaveYear: 'april_march', sandwich: true },
    });
  });

  it('round-trips each type’s form: posting it back as rendered keeps the policy as it was', async () => {
    const w = await world();
    const page = (await getPage(t.app, w.hr, '/leave/policy')).body;
    for (const type of DEFAULT_LEAVE_POLICY.types) {
      const section = new RegExp(`data-leave-type="${type.code}">([\\s\\S]*?)</form>`).exec(page)![1]!;
      const fields: Record<string, string> = {};
      for (const [, name, value] of section.matchAll(/<input[^>]*name="(\w+)"[^>]*value="([^"]*)"/g)) fields[name!] = value!;
      for (const [, name, body] of section.matchAll(/<select[^>]*name="(\w+)">([\s\S]*?)<\/select>/g))
        fields[name!] = /<option value="(\w+)" selected>/.exec(body!)?.[1] ?? '';
      delete fields._csrf;
      expect(fields).toMatchObject({ originalCode: type.code, code: type.code, name: type.name, kind: type.kind });
      expect((await postAs(t.app, w.hr, '/leave/policy/types', fields)).statusCode, JSON.stringify(fields)).toBe(303);
    }
    expect(JSON.parse((await storedPolicy(w.acme.id))!)).toEqual(DEFAULT_LEAVE_POLICY);
  });

  it('refuses to rename, re-kind or remove a type applications use, and bad input, naming the field and changing nothing', async () => {
    const w = await world();
    // A pending application names CL; a rejected one would too (applications of any status keep their code).
    expect((await postAs(t.app, w.me, '/leave', { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' })).statusCode).toBe(303);
    expect((await postAs(t.app, w.hr, '/leave/policy/types', { ...casual, name: 'Casual' })).statusCode).toBe(303); // the name may change
    const stored = await storedPolicy(w.acme.id);
    const audited = (await auditActions(w.acme.id)).length;
    const refused = async (url: string, fields: Record<string, string>) => {
      const res = await postAs(t.app, w.hr, url, fields);
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      return res.json().problems[0] as { field: string; message: string };
    };
    expect(await refused('/leave/policy/types', { ...casual, code: 'CAS' })).toEqual({
      field: 'code',
      message: 'CL is named by leave applications, so its code cannot change: change its name instead',
    });
    expect((await refused('/leave/policy/types', { ...casual, kind: 'unpaid', yearlyQuota: '0' })).field).toBe('kind');
    expect((await refused('/leave/policy/types/remove', { code: 'CL' })).field).toBe('code');
    // Bad input of every kind.
    expect((await refused('/leave/policy/types', { ...casual, originalCode: '', code: 'CL' })).field).toBe('code'); // already a type
    expect((await refused('/leave/policy/types', { ...casual, originalCode: 'SL', code: 'CL' })).field).toBe('code'); // used twice
    expect((await refused('/leave/policy/types', { ...casual, yearlyQuota: '12.25' })).message).toBe('yearlyQuota must be in whole or half days');
    expect((await refused('/leave/policy/types', { ...casual, yearlyQuota: 'twelve' })).field).toBe('yearlyQuota');
    expect((await refused('/leave/policy/types', { ...casual, yearlyQuota: '-1' })).field).toBe('yearlyQuota');
    expect((await refused('/leave/policy/types', { ...casual, carryForwardCap: '400' })).field).toBe('carryForwardCap');
    expect((await refused('/leave/policy/types', { originalCode: 'LWP', code: 'LWP', name: 'Unpaid', kind: 'unpaid', yearlyQuota: '5' })).field).toBe(
      'yearlyQuota',
    );
    expect((await refused('/leave/policy/types', { ...casual, originalCode: '', code: 'HL', kind: 'holiday' })).field).toBe('kind');
    expect((await refused('/leave/policy/types', { ...casual, originalCode: '', code: 'C-1' })).field).toBe('code');
    expect((await refused('/leave/policy/types', { ...casual, originalCode: '', code: 'NEW', name: ' ' })).field).toBe('name');
    expect((await refused('/leave/policy/types', { ...casual, originalCode: '', code: 'NEW', credit: 'weekly' })).field).toBe('credit');
    expect((await refused('/leave/policy', { leaveYear: 'july' })).field).toBe('leaveYear');
    expect((await postAs(t.app, w.hr, '/leave/policy/types', { ...casual, originalCode: 'ZZ' })).statusCode).toBe(404);
    expect((await postAs(t.app, w.hr, '/leave/policy/types/remove', { code: 'ZZ' })).statusCode).toBe(404);
    expect(await storedPolicy(w.acme.id)).toBe(stored);
    expect(await auditActions(w.acme.id)).toHaveLength(audited);
  });

  it('keeps every one of several first edits made at once (the row is made before any edit locks it)', async () => {
    const w = await world();
    // One session each (a session's CSRF cookie is shared by its requests); each raises one type's quota.
    const edits: Record<string, string>[] = [
      { ...casual, yearlyQuota: '20' },
      { originalCode: 'SL', code: 'SL', name: 'Sick leave', kind: 'sick', yearlyQuota: '20', credit: 'year_start' },
      { originalCode: 'EL', code: 'EL', name: 'Earned leave', kind: 'earned', yearlyQuota: '20', credit: 'monthly', carryForwardCap: '30' },
      { code: 'CO', name: 'Compensatory off', kind: 'casual', yearlyQuota: '20' },
      { code: 'BL', name: 'Bereavement leave', kind: 'casual', yearlyQuota: '20' },
      { code: 'ML', name: 'Marriage leave', kind: 'casual', yearlyQuota: '20' },
    ];
    const sessions = await Promise.all(edits.map(async () => sessionFor(t.app, (await user(db(), w.acme.id, { role: 'hr_admin' })).email)));
    const tokens = await Promise.all(sessions.map(async (jar) => /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, jar, '/account')).body)![1]!));
    const results = await Promise.all(
      edits.map((edit, i) => postForm(t.app, sessions[i]!, '/leave/policy/types', { _csrf: tokens[i]!, ...edit }, { accept: 'application/json' })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(edits.map(() => 303));
    const policy = JSON.parse((await storedPolicy(w.acme.id))!);
    expect(policy.types.filter((type: { yearlyQuota: number }) => type.yearlyQuota === 20)).toHaveLength(6);
  });

  it('never lets an application and a rename of its type both pass when they race', async () => {
    for (let round = 0; round < 4; round++) {
      const w = await world();
      const [meToken, hrToken] = await Promise.all(
        [w.me, w.hr].map(async (jar) => /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, jar, '/account')).body)![1]!),
      );
      const json = { accept: 'application/json' };
      const [applied, renamed] = await Promise.all([
        postForm(t.app, w.me, '/leave', { _csrf: meToken!, leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' }, json),
        postForm(t.app, w.hr, '/leave/policy/types', { _csrf: hrToken!, ...casual, code: 'CAS' }, json),
      ]);
      // One of them, or the application then the refused rename; never an application naming a code the policy lost.
      const codes = JSON.parse((await storedPolicy(w.acme.id))!).types.map((type: { code: string }) => type.code);
      const used = await selectRows<{ leave_type: string }>(t.app, sql`SELECT leave_type FROM leave_applications WHERE tenant_id = ${w.acme.id}`);
      for (const row of used) expect(codes).toContain(row.leave_type);
      expect([applied.statusCode, renamed.statusCode], `round ${round}`).not.toEqual([303, 303]);
    }
  });

  it('keeps each company’s policy to itself', async () => {
    const a = await world();
    const b = await world();
    expect((await postAs(t.app, a.hr, '/leave/policy/types/remove', { code: 'SL' })).statusCode).toBe(303);
    expect(await storedPolicy(b.acme.id)).toBeNull();
    expect((await getPage(t.app, b.me, '/leave')).body).toContain('data-leave-type="SL"');
    // Company B may still rename its own CL: company A's applications are not B's.
    expect((await postAs(t.app, a.me, '/leave', { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' })).statusCode).toBe(303);
    expect((await postAs(t.app, b.hr, '/leave/policy/types', { ...casual, code: 'CAS' })).statusCode).toBe(303);
  });
});
