import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, submitForm } from '../support/auth.js';
import { captureLogger } from '../support/logs.js';
import { company, department, departmentHead, employee, user } from '../support/factories.js';
import { verhoeffCheckDigit } from '../../src/modules/people/index.js';

const AADHAAR_11 = '73519246805';
const AADHAAR = AADHAAR_11 + verhoeffCheckDigit(AADHAAR_11);
const NEW_PERSON = {
  code: 'ACM9001',
  fullName: '<b>Zoya</b> Qadri',
  email: 'zoya.q@acme.test',
  dateOfJoining: '2026-04-01',
  workState: 'KA',
  gender: 'female',
  pan: 'QZXPQ4821K',
  aadhaarLast4: AADHAAR,
  bankAccount: '918273645501',
  ifsc: 'HDFC0004321',
  uan: '101202303404',
};

describe('people and their sensitive fields', () => {
  const logs = captureLogger();
  const t = useTestApp({ adapters: () => ({ logger: logs.logger }) });
  const db = () => t.app.database.db;

  /** Each test starts from its own company: an Engineering department and an HR admin signed in. */
  async function companyWithHr() {
    const acme = await company(db());
    const engineering = await department(db(), acme.id, { name: 'Engineering' });
    const hr = await sessionFor(t.app, (await user(db(), acme.id, { role: 'hr_admin' })).email);
    return { acme, engineering, hr };
  }

  /** Another company with its own HR admin signed in and one employee. */
  async function otherCompany() {
    const globex = await company(db());
    const hr = await sessionFor(t.app, (await user(db(), globex.id, { role: 'hr_admin' })).email);
    const person = await employee(t.app, globex.id, { departmentId: (await department(db(), globex.id)).id });
    return { globex, hr, person };
  }

  async function allCells(): Promise<string[]> {
    const [tables] = (await t.db.database.db.execute(sql`SHOW TABLES`)) as unknown as [Record<string, string>[]];
    const cells: string[] = [];
    for (const table of tables.map((r) => Object.values(r)[0]!)) {
      const [rows] = (await t.db.database.db.execute(sql.raw(`SELECT * FROM \`${table}\``))) as unknown as [Record<string, unknown>[]];
      for (const row of rows)
        for (const value of Object.values(row)) if (value !== null) cells.push(Buffer.isBuffer(value) ? value.toString('latin1') : String(value));
    }
    return cells;
  }

  it('HR creates an employee; no column of any table holds the PAN, Aadhaar or account number in clear', async () => {
    const { engineering, hr } = await companyWithHr();
    const res = await submitForm(t.app, hr, '/employees/new', '/employees', { ...NEW_PERSON, departmentId: engineering.id });
    expect(res.statusCode).toBe(303);
    const zoyaId = res.headers.location!.split('/').pop()!;
    const cells = await allCells();
    for (const secret of [NEW_PERSON.pan, AADHAAR, NEW_PERSON.bankAccount]) {
      expect(
        cells.filter((c) => c.includes(secret)),
        secret,
      ).toEqual([]);
    }
    expect(cells.filter((c) => c === AADHAAR.slice(-4))).toEqual([]);
    const page = await getPage(t.app, hr, `/employees/${zoyaId}`);
    expect(page.body).toContain('&lt;b&gt;Zoya&lt;/b&gt; Qadri');
    expect(page.body).toContain('XXXXXX821K');
    // Aadhaar keeps only its last 4: shown masked whole until revealed (the reveal test shows it audited).
    expect(page.body).toContain('XXXX XXXX ••••');
    expect(page.body).not.toContain(`XXXXXX${AADHAAR.slice(-4)}`);
    expect(page.body).toContain('XXXXXX5501');
    expect(page.body).not.toContain(NEW_PERSON.pan);
  });

  it('HR edits an employee: blank sensitive fields keep their value, typed ones replace it, and the audit names what changed', async () => {
    const { acme, engineering, hr } = await companyWithHr();
    const zoya = await employee(t.app, acme.id, { ...NEW_PERSON, departmentId: engineering.id });
    const form = await getPage(t.app, hr, `/employees/${zoya.id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain(NEW_PERSON.pan);
    const res = await submitForm(t.app, hr, `/employees/${zoya.id}/edit`, `/employees/${zoya.id}`, {
      ...NEW_PERSON,
      departmentId: engineering.id,
      designation: 'Staff Engineer',
      pan: '',
      aadhaarLast4: '',
      bankAccount: '556677889900',
    });
    expect(res.statusCode).toBe(303);
    const page = await getPage(t.app, hr, `/employees/${zoya.id}`);
    expect(page.body).toContain('Staff Engineer');
    expect(page.body).toContain('XXXXXX821K');
    expect(page.body).toContain('XXXXXX9900');
    const [rows] = (await db().execute(sql`SELECT details FROM audit_events WHERE action = 'employee.updated' AND target_id = ${zoya.id}`)) as unknown as [
      { details: string }[],
    ];
    const details = JSON.parse(rows[0]!.details);
    expect(details.changed).toEqual(['designation', 'bankAccount']);
    expect(details.before).toEqual({ designation: null });
    expect(rows[0]!.details).not.toContain('556677889900');
    // Another company's HR cannot edit it: a 404 before the form is even read.
    const other = await otherCompany();
    expect((await submitForm(t.app, other.hr, '/employees/new', `/employees/${zoya.id}`, { fullName: 'x' })).statusCode).toBe(404);
  });

  it('refuses a PAN already used in the company (blind index), naming the field', async () => {
    const { acme, hr } = await companyWithHr();
    await employee(t.app, acme.id, NEW_PERSON);
    const res = await submitForm(
      t.app,
      hr,
      '/employees/new',
      '/employees',
      { ...NEW_PERSON, code: 'ACM9002', pan: 'qzxpq4821k' },
      { accept: 'application/json' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([{ field: 'pan', message: 'is already used by another employee' }]);
  });

  it('reveals a value only with a reason, and audits the reveal without the value', async () => {
    const { acme, engineering, hr } = await companyWithHr();
    const zoya = await employee(t.app, acme.id, { ...NEW_PERSON, departmentId: engineering.id });
    const noReason = await submitForm(
      t.app,
      hr,
      `/employees/${zoya.id}`,
      `/employees/${zoya.id}/reveal`,
      { field: 'pan', reason: '' },
      { accept: 'application/json' },
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().problems[0].field).toBe('reason');
    const res = await submitForm(t.app, hr, `/employees/${zoya.id}`, `/employees/${zoya.id}/reveal`, { field: 'pan', reason: 'Form 16 correction' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<code data-revealed>${NEW_PERSON.pan}</code>`);
    expect(res.headers['cache-control']).toBe('no-store');
    const [rows] = (await db().execute(
      sql`SELECT action, details, actor_id FROM audit_events WHERE action = 'employee.sensitive_revealed' AND tenant_id = ${acme.id}`,
    )) as unknown as [{ action: string; details: string }[]];
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.details)).toEqual({ field: 'pan', reason: 'Form 16 correction' });
    expect(rows[0]!.details).not.toContain(NEW_PERSON.pan);

    // Aadhaar, masked whole on the page, shows its last 4 only through the same audited reveal.
    expect((await getPage(t.app, hr, `/employees/${zoya.id}`)).body).not.toContain(`>${AADHAAR.slice(-4)}<`);
    const aadhaar = await submitForm(t.app, hr, `/employees/${zoya.id}`, `/employees/${zoya.id}/reveal`, { field: 'aadhaarLast4', reason: 'UAN KYC seeding' });
    expect(aadhaar.body).toContain(`<code data-revealed>${AADHAAR.slice(-4)}</code>`);
    const [after] = (await db().execute(
      sql`SELECT details FROM audit_events WHERE action = 'employee.sensitive_revealed' AND tenant_id = ${acme.id} ORDER BY id`,
    )) as unknown as [{ details: string }[]];
    expect(after.map((r) => JSON.parse(r.details).field)).toEqual(['pan', 'aadhaarLast4']);
  });

  it('a ciphertext moved to another row or company is refused, shown as unreadable and alerted, never a 500', async () => {
    const { acme, engineering, hr } = await companyWithHr();
    const zoya = await employee(t.app, acme.id, { ...NEW_PERSON, departmentId: engineering.id });
    const engineer = await employee(t.app, acme.id, { departmentId: engineering.id });
    const other = await otherCompany();
    const alertsBefore = logs.alerts('crypto.decrypt_failed').length;
    await db().execute(
      sql`UPDATE employees SET pan_cipher = (SELECT pan_cipher FROM (SELECT pan_cipher FROM employees WHERE id = ${zoya.id}) AS src) WHERE id = ${engineer.id}`,
    );
    await db().execute(
      sql`UPDATE employees SET bank_account_cipher = (SELECT pan_cipher FROM (SELECT pan_cipher FROM employees WHERE id = ${zoya.id}) AS src) WHERE id = ${other.person.id}`,
    );
    const page = await getPage(t.app, hr, `/employees/${engineer.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('cannot be read (reported)');
    const foreign = await getPage(t.app, other.hr, `/employees/${other.person.id}`);
    expect(foreign.statusCode).toBe(200);
    expect(foreign.body).toContain('cannot be read (reported)');
    expect(logs.alerts('crypto.decrypt_failed').length - alertsBefore).toBeGreaterThanOrEqual(2);
    const reveal = await submitForm(t.app, hr, `/employees/${engineer.id}`, `/employees/${engineer.id}/reveal`, { field: 'pan', reason: 'checking the alert' });
    expect(reveal.statusCode).toBe(409);
  });

  it('a department head sees their department without sensitive fields, and nothing of another department', async () => {
    const { acme, engineering } = await companyWithHr();
    const sales = await department(db(), acme.id, { name: 'Sales' });
    const zoya = await employee(t.app, acme.id, { ...NEW_PERSON, departmentId: engineering.id });
    await employee(t.app, acme.id, { departmentId: engineering.id });
    await employee(t.app, acme.id, { departmentId: engineering.id });
    const salesPerson = await employee(t.app, acme.id, { departmentId: sales.id });
    const head = await sessionFor(t.app, (await departmentHead(db(), acme.id, engineering.id)).email);
    const list = await getPage(t.app, head, '/employees');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('My team');
    expect(list.body).toContain('Zoya');
    expect(list.body).toContain('3 people');
    expect(list.body).not.toContain(salesPerson.fullName);
    expect(list.body).not.toMatch(/XXXXXX/);
    expect((await getPage(t.app, head, `/employees/${salesPerson.id}`)).statusCode).toBe(404);
    const mine = await getPage(t.app, head, `/employees/${zoya.id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).not.toMatch(/XXXXXX|Sensitive details|IFSC/);
    // Engineering has 3 of the company's 4 people.
    expect((await getPage(t.app, head, '/employees?department=' + engineering.id)).body).toContain('3 people');
    // Another team's department is not the head's to open, even as a filter; the dropdown offers only their own.
    expect((await getPage(t.app, head, '/employees?department=' + sales.id)).statusCode).toBe(404);
    expect(list.body).not.toContain(sales.id);
  });

  it("the departments page counts each department's people and names its heads, for this company only", async () => {
    const { acme, engineering, hr } = await companyWithHr();
    const sales = await department(db(), acme.id, { name: 'Sales' });
    await department(db(), acme.id, { name: 'Legal' });
    for (const departmentId of [engineering.id, engineering.id, sales.id, null]) await employee(t.app, acme.id, { departmentId });
    const head = await departmentHead(db(), acme.id, engineering.id);
    const other = await otherCompany();
    await employee(t.app, other.globex.id, { departmentId: (await department(db(), other.globex.id, { name: 'Engineering' })).id });
    const page = await getPage(t.app, hr, '/departments');
    expect(page.statusCode).toBe(200);
    const rows = [...page.body.matchAll(/<td>([^<]+)<\/td><td>[^<]*<\/td><td class="num">(\d+)<\/td><td>([^<]*)<\/td>/g)].map((m) => [
      m[1],
      Number(m[2]),
      m[3],
    ]);
    expect(rows).toEqual([
      ['Engineering', 2, head.email],
      ['Legal', 0, '—'],
      ['Sales', 1, '—'],
    ]);
  });

  it('searches by text: SQL and LIKE wildcards are just characters', async () => {
    const { acme, engineering, hr } = await companyWithHr();
    await employee(t.app, acme.id, { ...NEW_PERSON, departmentId: engineering.id });
    await employee(t.app, acme.id, { departmentId: engineering.id });
    await employee(t.app, acme.id);
    expect((await getPage(t.app, hr, '/employees')).body).toContain('3 people');
    for (const q of ["' OR 1=1 --", '%', '_', '\\', 'Zoya%']) {
      const res = await getPage(t.app, hr, `/employees?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
      expect(res.body, q).toContain('0 people');
    }
    expect((await getPage(t.app, hr, '/employees?q=qadri')).body).toContain('1 person');
  });

  it('pages the list with its total, also past the last page', async () => {
    const { acme, hr } = await companyWithHr();
    for (let i = 1; i <= 61; i++) await employee(t.app, acme.id, { code: `ACM${String(i).padStart(4, '0')}` });
    const first = await getPage(t.app, hr, '/employees');
    expect(first.body).toContain('61 people');
    expect(first.body).toContain('Page 1 of 2');
    expect([...first.body.matchAll(/<tr>\s*<td>ACM/g)].length).toBe(50);
    const second = await getPage(t.app, hr, '/employees?page=2');
    expect([...second.body.matchAll(/<tr>\s*<td>ACM/g)].length).toBe(11);
    const beyond = await getPage(t.app, hr, '/employees?page=9');
    expect(beyond.body).toContain('61 people');
    expect(beyond.body).toContain('Nobody matches.');
    expect((await getPage(t.app, hr, '/employees?page=0', { accept: 'application/json' })).statusCode).toBe(400);
  });

  it('another company’s employee is a 404, indistinguishable from a missing one', async () => {
    const { hr } = await companyWithHr();
    const other = await otherCompany();
    const foreign = await getPage(t.app, hr, `/employees/${other.person.id}`);
    const missing = await getPage(t.app, hr, '/employees/0190aaaa-0000-7000-8000-000000000000');
    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(foreign.body.replace(/[0-9a-f-]{36}/g, '').replace(/value="[^"]*"/g, '')).toBe(
      missing.body.replace(/[0-9a-f-]{36}/g, '').replace(/value="[^"]*"/g, ''),
    );
  });

  it('finance sees no people pages; an employee sees only their own profile, masked, and can ask for a correction', async () => {
    const { acme, engineering } = await companyWithHr();
    const finance = await sessionFor(t.app, (await user(db(), acme.id, { role: 'finance' })).email);
    expect((await getPage(t.app, finance, '/employees')).statusCode).toBe(403);
    expect((await getPage(t.app, finance, '/me')).body).toContain('not linked to an employee profile');
    const profile = await employee(t.app, acme.id, { departmentId: engineering.id });
    const colleague = await employee(t.app, acme.id, { departmentId: engineering.id });
    const self = await sessionFor(t.app, (await user(db(), acme.id, { role: 'employee', employeeId: profile.id })).email);
    expect((await getPage(t.app, self, '/employees')).statusCode).toBe(403);
    const me = await getPage(t.app, self, '/me');
    expect(me.body).toMatch(/XXXXXX\w{4}/);
    expect(me.body).toContain(`XXXXXX${profile.pan!.slice(-4)}`);
    expect(me.body).not.toContain(profile.pan!);
    expect(me.body).not.toContain(colleague.fullName);
    const res = await submitForm(t.app, self, '/me', '/me/corrections', { field: 'bank account', message: 'I changed banks in March' });
    expect(res.statusCode).toBe(303);
    const [rows] = (await db().execute(sql`SELECT field, status FROM profile_corrections WHERE tenant_id = ${acme.id}`)) as unknown as [
      { field: string; status: string }[],
    ];
    expect(rows).toEqual([{ field: 'bank account', status: 'open' }]);
  });

  it('never writes a sensitive value to the logs', async () => {
    // Every path that handles the values in clear: create, a refused duplicate, refused input, reveal, an unreadable value.
    const { acme, engineering, hr } = await companyWithHr();
    const created = await submitForm(t.app, hr, '/employees/new', '/employees', { ...NEW_PERSON, departmentId: engineering.id });
    expect(created.statusCode).toBe(303);
    const zoyaId = created.headers.location!.split('/').pop()!;
    const duplicate = await submitForm(t.app, hr, '/employees/new', '/employees', { ...NEW_PERSON, code: 'ACM9002' }, { accept: 'application/json' });
    expect(duplicate.statusCode).toBe(400);
    const refused = await submitForm(
      t.app,
      hr,
      '/employees/new',
      '/employees',
      { ...NEW_PERSON, code: 'ACM9003', ifsc: 'NOT-AN-IFSC' },
      { accept: 'application/json' },
    );
    expect(refused.statusCode).toBe(400);
    const revealed = await submitForm(t.app, hr, `/employees/${zoyaId}`, `/employees/${zoyaId}/reveal`, {
      field: 'bankAccount',
      reason: 'Salary transfer bounced',
    });
    expect(revealed.body).toContain(NEW_PERSON.bankAccount);
    const colleague = await employee(t.app, acme.id, { departmentId: engineering.id });
    await db().execute(
      sql`UPDATE employees SET pan_cipher = (SELECT pan_cipher FROM (SELECT pan_cipher FROM employees WHERE id = ${zoyaId}) AS src) WHERE id = ${colleague.id}`,
    );
    expect((await getPage(t.app, hr, `/employees/${colleague.id}`)).body).toContain('cannot be read (reported)');
    expect(logs.lines().length).toBeGreaterThan(0);
    const logged = JSON.stringify(logs.lines());
    for (const secret of [NEW_PERSON.pan, AADHAAR, NEW_PERSON.bankAccount]) expect(logged).not.toContain(secret);
  });

  it('bad input is a 400 naming the field and writes nothing', async () => {
    const { hr } = await companyWithHr();
    const foreignDepartment = await department(db(), (await company(db())).id);
    const [before] = (await db().execute(sql`SELECT COUNT(*) AS n FROM employees`)) as unknown as [{ n: number }[]];
    const bad = await submitForm(
      t.app,
      hr,
      '/employees/new',
      '/employees',
      { ...NEW_PERSON, code: 'ACM9003', pan: 'ABCDE12345', aadhaarLast4: AADHAAR_11 + ((Number(AADHAAR.at(-1)) + 1) % 10), departmentId: foreignDepartment.id },
      { accept: 'application/json' },
    );
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .problems.map((p: { field: string }) => p.field)
        .sort(),
    ).toEqual(['aadhaarLast4', 'pan']);
    const wrongDept = await submitForm(
      t.app,
      hr,
      '/employees/new',
      '/employees',
      { ...NEW_PERSON, code: 'ACM9003', pan: 'ABCPE1111Z', departmentId: '0190aaaa-0000-7000-8000-000000000000' },
      { accept: 'application/json' },
    );
    expect(wrongDept.json().problems).toEqual([{ field: 'departmentId', message: 'is not a department of your company' }]);
    const foreignDept = await submitForm(
      t.app,
      hr,
      '/employees/new',
      '/employees',
      { ...NEW_PERSON, code: 'ACM9003', pan: 'ABCPE1111Z', departmentId: foreignDepartment.id },
      { accept: 'application/json' },
    );
    expect(foreignDept.json().problems).toEqual([{ field: 'departmentId', message: 'is not a department of your company' }]);
    const [after] = (await db().execute(sql`SELECT COUNT(*) AS n FROM employees`)) as unknown as [{ n: number }[]];
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
  });
});
