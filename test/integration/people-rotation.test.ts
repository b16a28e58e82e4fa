import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, submitForm } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';
import { createKeyProvider, rotateTenantKey, keyVersionOf } from '../../src/platform/crypto/index.js';
import { findCompanyByDomain } from '../../src/modules/tenancy/index.js';

describe('key rotation over the people module', () => {
  const t = useTestApp({ env: { KEY_CACHE_SECONDS: '1' }, seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  it('re-encrypts every sensitive field of a company under the new version; pages and the PAN index keep working', async () => {
    const db = t.app.database.db;
    const acme = (await findCompanyByDomain(db, 'acme.test'))!;
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const before = await getPage(t.app, hr, '/employees');
    const result = await rotateTenantKey({ db, keyProvider: createKeyProvider(t.config), cipher: t.app.fieldCipher }, acme.id, { batchSize: 7 });
    expect(result).toMatchObject({ outcome: 'rotated', targetVersion: 2, rowsRejected: 0 });
    expect(result.rowsReencrypted).toBe(60 * 3);
    const [rows] = (await db.execute(sql`SELECT tenant_id, pan_cipher, aadhaar_last4_cipher, bank_account_cipher FROM employees`)) as unknown as [
      Record<string, string>[],
    ];
    for (const row of rows) {
      const expected = row.tenant_id === acme.id ? 2 : 1;
      for (const column of ['pan_cipher', 'aadhaar_last4_cipher', 'bank_account_cipher']) expect(keyVersionOf(row[column]!)).toBe(expected);
    }
    t.app.fieldCipher.forgetVersion(acme.id);
    const after = await getPage(t.app, hr, '/employees');
    const masked = (html: string) => [...html.matchAll(/<td class="masked">([^<]+)<\/td>/g)].map((m) => m[1]);
    expect(masked(after.body)).toEqual(masked(before.body));
    expect(masked(after.body).length).toBe(100);

    // The blind index still finds an existing PAN after rotation.
    const [[first]] = (await db.execute(sql`SELECT id, pan_cipher FROM employees WHERE tenant_id = ${acme.id} LIMIT 1`)) as unknown as [
      { id: string; pan_cipher: string }[],
    ];
    const pan = await t.app.fieldCipher.decrypt(acme.id, { table: 'employees', column: 'pan_cipher', rowId: first!.id }, first!.pan_cipher);
    const duplicate = await submitForm(
      t.app,
      hr,
      '/employees/new',
      '/employees',
      { code: 'ROT1', fullName: 'Dup Pan', dateOfJoining: '2026-04-01', workState: 'KA', pan },
      { accept: 'application/json' },
    );
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json().problems).toEqual([{ field: 'pan', message: 'is already used by another employee' }]);
  });
});
