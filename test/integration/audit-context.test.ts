import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { sessionFor, submitForm } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { company, user } from '../support/factories.js';
import { findUserByEmail, listTenantUsers } from '../../src/modules/identity/index.js';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';

/**
 * Every change an owner makes to a user lands in one transaction with its audit entry, and the entry
 * is made from the request context. To see the "or not at all" half, the database itself refuses
 * the audit insert for one action (a CHECK constraint), as a full disk or a lost connection would.
 */
describe('audit entries from the request context, in the same transaction as the change', () => {
  const clock = testClock(new Date('2026-11-02T04:30:00.000Z'));
  const ids: Record<string, string> = {};
  const t = useTestApp({
    adapters: () => ({ clock }),
    seed: async (t) => {
      const db = t.db.database.db;
      ids.tenant = (await company(db, { domain: 'auditworks.test' })).id;
      ids.owner = (await user(db, ids.tenant, { role: 'owner', email: 'owner@auditworks.test' })).id;
      ids.target = (await user(db, ids.tenant, { role: 'employee', email: 'target@auditworks.test' })).id;
    },
  });

  const entries = async (action: string) => {
    const [rows] = (await t.db.database.db.execute(sql`SELECT * FROM audit_events WHERE action = ${action} ORDER BY id`)) as unknown as [
      Record<string, unknown>[],
    ];
    return rows;
  };
  const target = async () => (await findUserByEmail(t.app.database.db, 'target@auditworks.test'))!;
  const refuseAudit = (action: string) =>
    t.db.database.db.execute(sql.raw(`ALTER TABLE audit_events ADD CONSTRAINT refuse_${action.replace('.', '_')} CHECK (action <> '${action}')`));
  const allowAudit = (action: string) => t.db.database.db.execute(sql.raw(`ALTER TABLE audit_events DROP CONSTRAINT refuse_${action.replace('.', '_')}`));
  const liveSessions = async (userId: string) => {
    const [rows] = (await t.db.database.db.execute(sql`SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${userId} AND revoked_at IS NULL`)) as unknown as [
      { n: number }[],
    ];
    return Number(rows[0]!.n);
  };

  it('a role change whose audit entry cannot be written changes nothing; once it can, both land together', async () => {
    const owner = await sessionFor(t.app, 'owner@auditworks.test');
    await sessionFor(t.app, 'target@auditworks.test');
    await refuseAudit('user.role_changed');
    const refused = await submitForm(t.app, owner, '/users', `/users/${ids.target}/role`, { role: 'finance' });
    expect(refused.statusCode).toBe(500);
    expect((await target()).role).toBe('employee');
    expect(await liveSessions(ids.target!)).toBe(1);
    expect(await entries('user.role_changed')).toEqual([]);

    await allowAudit('user.role_changed');
    const longAgent = `Mozilla/5.0 ${'x'.repeat(400)}`;
    const done = await submitForm(t.app, owner, '/users', `/users/${ids.target}/role`, { role: 'finance' }, { 'user-agent': longAgent });
    expect(done.statusCode).toBe(303);
    expect((await target()).role).toBe('finance');
    expect(await liveSessions(ids.target!)).toBe(0);
    const [entry] = await entries('user.role_changed');
    expect(entry).toMatchObject({
      tenant_id: ids.tenant,
      actor_kind: 'user',
      actor_id: ids.owner,
      on_behalf_of: null,
      target_type: 'user',
      target_id: ids.target,
      ip: '127.0.0.1',
      user_agent: longAgent.slice(0, 255),
      details: JSON.stringify({ before: 'employee', after: 'finance' }),
    });
    // Stamped by the injected clock, tied to the request that made it.
    expect(entry!.at).toBe('2026-11-02 04:30:00.000');
    expect(entry!.request_id).toBe(done.headers['x-request-id']);
  });

  it('disabling and enabling: refused audit, nothing changes; allowed, both land with their entries', async () => {
    const owner = await sessionFor(t.app, 'owner@auditworks.test');
    await refuseAudit('user.disabled');
    expect((await submitForm(t.app, owner, '/users', `/users/${ids.target}/disable`, {})).statusCode).toBe(500);
    expect((await target()).status).toBe('active');
    await allowAudit('user.disabled');
    expect((await submitForm(t.app, owner, '/users', `/users/${ids.target}/disable`, {})).statusCode).toBe(303);
    expect((await target()).status).toBe('disabled');

    await refuseAudit('user.enabled');
    expect((await submitForm(t.app, owner, '/users', `/users/${ids.target}/enable`, {})).statusCode).toBe(500);
    expect((await target()).status).toBe('disabled');
    await allowAudit('user.enabled');
    expect((await submitForm(t.app, owner, '/users', `/users/${ids.target}/enable`, {})).statusCode).toBe(303);
    expect((await target()).status).toBe('active');
    expect((await entries('user.disabled')).map((e) => e.target_id)).toEqual([ids.target]);
    expect((await entries('user.enabled')).map((e) => e.target_id)).toEqual([ids.target]);
  });

  it('an invitation whose audit entry cannot be written leaves no user, no link and sends no mail', async () => {
    const owner = await sessionFor(t.app, 'owner@auditworks.test');
    const mails = async () => (await readOutbox(outboxDir(t.config)).catch(() => [])).filter((m) => m.to === 'new.hire@auditworks.test');
    await refuseAudit('user.invited');
    const refused = await submitForm(t.app, owner, '/users', '/users/invite', { email: 'new.hire@auditworks.test', displayName: 'New Hire', role: 'employee' });
    expect(refused.statusCode).toBe(500);
    expect((await listTenantUsers(t.app.database.db, ids.tenant!)).map((u) => u.email)).not.toContain('new.hire@auditworks.test');
    const [tokens] = (await t.db.database.db.execute(sql`SELECT COUNT(*) AS n FROM password_tokens`)) as unknown as [{ n: number }[]];
    expect(Number(tokens[0]!.n)).toBe(0);
    expect(await mails()).toEqual([]);

    await allowAudit('user.invited');
    const done = await submitForm(t.app, owner, '/users', '/users/invite', { email: 'new.hire@auditworks.test', displayName: 'New Hire', role: 'employee' });
    expect(done.statusCode).toBe(303);
    const invited = (await listTenantUsers(t.app.database.db, ids.tenant!)).find((u) => u.email === 'new.hire@auditworks.test')!;
    expect(invited.status).toBe('invited');
    expect(await mails()).toHaveLength(1);
    expect(await entries('user.invited')).toMatchObject([{ actor_id: ids.owner, target_id: invited.id, details: JSON.stringify({ role: 'employee' }) }]);
  });

  it('staff acting as a user under a ticket are named in the entry: the staff member, the user acted as, the ticket', async () => {
    const owner = await sessionFor(t.app, 'owner@auditworks.test');
    const sessionId = JSON.parse(Buffer.from(owner.cookie.split('=')[1]!.split('.')[1]!, 'base64url').toString()).sid as string;
    // Impersonation with consent is granted by the support issue; the session row is how it will show.
    await t.db.database.db.execute(sql`UPDATE sessions SET impersonator_id = 'staff-7', impersonation_ticket = 'SUP-1042' WHERE id = ${sessionId}`);
    expect((await submitForm(t.app, owner, '/users', `/users/${ids.target}/role`, { role: 'employee' })).statusCode).toBe(303);
    expect((await entries('user.role_changed')).at(-1)).toMatchObject({
      actor_kind: 'impersonator',
      actor_id: 'staff-7',
      on_behalf_of: ids.owner,
      ticket: 'SUP-1042',
      target_id: ids.target,
    });
  });
});
