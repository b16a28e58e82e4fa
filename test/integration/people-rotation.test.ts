import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, submitForm } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';
import { createFieldCipher, createKeyProvider, deleteRetiredDataKeys, rotateTenantKey, keyVersionOf } from '../../src/platform/crypto/index.js';
import { findCompanyByDomain } from '../../src/modules/tenancy/index.js';

describe('key rotation over the people module', () => {
  const t = useTestApp({ env: { KEY_CACHE_SECONDS: '1' }, seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  type Row = { id: string; tenant_id: string; pan_cipher: string | null; pan_index: string | null; aadhaar_last4_cipher: string; bank_account_cipher: string };
  const rowsOf = async (tenantId?: string) => {
    const where = tenantId ? sql` WHERE tenant_id = ${tenantId}` : sql``;
    const [rows] = (await t.app.database.db.execute(
      sql`SELECT id, tenant_id, pan_cipher, pan_index, aadhaar_last4_cipher, bank_account_cipher FROM employees${where} ORDER BY id`,
    )) as unknown as [Row[]];
    return rows;
  };
  const panOf = (row: Row) => t.app.fieldCipher.decrypt(row.tenant_id, { table: 'employees', column: 'pan_cipher', rowId: row.id }, row.pan_cipher!);

  /** A new employee with an existing employee's PAN: the blind index must find the other one. */
  async function refusesDuplicateOf(row: Row, code: string) {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const fields = { code, fullName: 'Dup Pan', dateOfJoining: '2026-04-01', workState: 'KA', pan: await panOf(row) };
    const duplicate = await submitForm(t.app, hr, '/employees/new', '/employees', fields, { accept: 'application/json' });
    expect(duplicate.statusCode, `PAN of ${row.id} (index ${row.pan_index?.slice(0, 4)}…)`).toBe(400);
    expect(duplicate.json().problems).toEqual([{ field: 'pan', message: 'is already used by another employee' }]);
  }

  it('re-encrypts every sensitive field of a company under the new version; pages and the PAN index keep working', async () => {
    const db = t.app.database.db;
    const acme = (await findCompanyByDomain(db, 'acme.test'))!;
    const hr = await sessionFor(t.app, 'hr@acme.test');
    const before = await getPage(t.app, hr, '/employees');
    const result = await rotateTenantKey({ db, keyProvider: createKeyProvider(t.config), cipher: t.app.fieldCipher }, acme.id, { batchSize: 7 });
    expect(result).toMatchObject({ outcome: 'rotated', targetVersion: 2, rowsRejected: 0 });
    const [faces] = (await db.execute(sql`SELECT COUNT(*) AS n FROM face_samples WHERE tenant_id = ${acme.id}`)) as unknown as [{ n: number }[]];
    // Three fields, every PAN index moved to the new index key, and the demo kiosk's enrolled face samples.
    expect(result.rowsReencrypted).toBe(60 * 3 + 60 + Number(faces[0]!.n));
    for (const row of await rowsOf()) {
      const expected = row.tenant_id === acme.id ? 2 : 1;
      for (const column of ['pan_cipher', 'aadhaar_last4_cipher', 'bank_account_cipher'] as const) expect(keyVersionOf(row[column]!)).toBe(expected);
    }
    t.app.fieldCipher.forgetVersion(acme.id);
    const after = await getPage(t.app, hr, '/employees');
    const masked = (html: string) => [...html.matchAll(/<td class="masked">([^<]+)<\/td>/g)].map((m) => m[1]);
    expect(masked(after.body)).toEqual(masked(before.body));
    expect(masked(after.body).length).toBe(100);
    await refusesDuplicateOf((await rowsOf(acme.id))[0]!, 'ROT1');
  });

  it('moves the PAN blind index to the new key version too; look-ups work before, during and after; then the old data key can go', async () => {
    const db = t.app.database.db;
    const acme = (await findCompanyByDomain(db, 'acme.test'))!;
    const keyProvider = createKeyProvider(t.config);
    const indexVersion = (index: string | null) => /^i([0-9]+):[0-9a-f]{64}$/.exec(index ?? '')?.[1] ?? (index ? 'derived' : null);
    const versionsOf = async () => new Set((await rowsOf(acme.id)).map((r) => indexVersion(r.pan_index)).filter((v) => v !== null));
    await refusesDuplicateOf((await rowsOf(acme.id)).at(-1)!, 'BEFORE1');

    const mixes: Set<string>[] = [];
    let checkedMidway = false;
    const result = await rotateTenantKey(
      { db, keyProvider, cipher: createFieldCipher({ db, keyProvider, alert: () => {}, cache: { ttlMs: 1000 } }) },
      acme.id,
      {
        batchSize: 7,
        afterBatch: async (progress) => {
          if (progress.column !== 'pan_index') return;
          mixes.push(await versionsOf());
          const rows = (await rowsOf(acme.id)).filter((r) => r.pan_index);
          const moved = rows.find((r) => indexVersion(r.pan_index) === '3');
          const notYet = rows.find((r) => indexVersion(r.pan_index) !== '3');
          if (checkedMidway || !moved || !notYet) return;
          // Mid-way, this instance still has the previous version cached: both kinds of index must be found.
          await refusesDuplicateOf(moved, 'DURING1');
          await refusesDuplicateOf(notYet, 'DURING2');
          checkedMidway = true;
        },
      },
    );
    expect(result).toMatchObject({ targetVersion: 3, rowsRejected: 0 });
    expect(checkedMidway).toBe(true);
    expect(mixes.some((versions) => versions.size > 1)).toBe(true);
    expect(await versionsOf()).toEqual(new Set(['3']));
    t.app.fieldCipher.forgetVersion(acme.id);
    await refusesDuplicateOf((await rowsOf(acme.id))[5]!, 'AFTER1');

    // Nothing of the company needs key versions 1 and 2 any more: they can be deleted, and everything still works.
    expect(await deleteRetiredDataKeys(db, acme.id)).toEqual({ deleted: [1, 2], kept: [] });
    const cold = createFieldCipher({ db, keyProvider, alert: () => {} });
    const [row] = await rowsOf(acme.id);
    expect(await cold.decrypt(acme.id, { table: 'employees', column: 'pan_cipher', rowId: row!.id }, row!.pan_cipher!)).toMatch(/^[A-Z]{5}[0-9]{4}[A-Z]$/);
    await refusesDuplicateOf(row!, 'AFTER2');
  }, 60_000);
});
