import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor, type Browserish } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';
import { insertUser, users } from '../../src/modules/identity/index.js';
import { findCompanyByDomain } from '../../src/modules/tenancy/index.js';
import { firstEmployeeOf, listDepartments } from '../../src/modules/people/index.js';
import { ROLES, type Role } from '../../src/modules/access/index.js';
import { KIOSK_VENDOR_URL, kiosks, leaveApplications, regularisations } from '../../src/modules/attendance/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { EXAMPLE_A_INPUT } from '../support/payroll-examples.js';
import { calculateEmployeeMonth, payRuns, payslips } from '../../src/modules/payroll/index.js';
import { and, eq } from 'drizzle-orm';
import { makeKioskKeys } from '../support/kiosk.js';

/**
 * The authorization matrix (security.md, "Roles and scopes"): every registered route, for anonymous
 * and every role of two companies, against company A's objects. This table is written by hand,
 * independently of the rules in the code: a route missing here, or a rule that drifts from it, fails.
 */
/** `kiosk`: a kiosk signature only; no user of any role, nor anyone anonymous, gets in (401). */
type Who = 'anyone' | 'signed-in' | 'kiosk' | readonly Role[];
const ADMINS = ['owner', 'hr_admin', 'finance'] as const;
const HR = ['owner', 'hr_admin'] as const;
const EXPECTED: Record<string, Who> = {
  'GET /': 'anyone',
  'GET /healthz': 'anyone',
  'GET /readyz': 'anyone',
  'GET /public/*': 'anyone',
  'GET /login': 'anyone',
  'POST /login': 'anyone',
  'GET /login/second-factor': 'anyone',
  'POST /login/second-factor': 'anyone',
  'GET /signup': 'anyone',
  'POST /signup': 'anyone',
  'GET /signup/check-email': 'anyone',
  'POST /signup/resend': 'anyone',
  'GET /signup/confirm': 'anyone',
  'POST /signup/confirm': 'anyone',
  'GET /password/forgot': 'anyone',
  'POST /password/forgot': 'anyone',
  'GET /password/reset': 'anyone',
  'POST /password/reset': 'anyone',
  'POST /logout': 'signed-in',
  'GET /account': 'signed-in',
  'POST /account/password': 'signed-in',
  'POST /account/sign-out-everywhere': 'signed-in',
  'GET /account/two-factor': ADMINS,
  'POST /account/two-factor/begin': ADMINS,
  'POST /account/two-factor/confirm': ADMINS,
  'POST /account/two-factor/disable': ADMINS,
  'GET /users': ['owner'],
  'POST /users/invite': ['owner'],
  'POST /users/two-factor-policy': ['owner'],
  'POST /users/:userId/role': ['owner'],
  'POST /users/:userId/disable': ['owner'],
  'POST /users/:userId/enable': ['owner'],
  'GET /employees': ['owner', 'hr_admin', 'dept_head'],
  'GET /employees/new': HR,
  'POST /employees': HR,
  'GET /employees/import': HR,
  'POST /employees/import': HR,
  'GET /employees/export.csv': HR,
  'GET /employees/:employeeId': ['owner', 'hr_admin', 'dept_head'],
  'GET /employees/:employeeId/edit': HR,
  'POST /employees/:employeeId': HR,
  'POST /employees/:employeeId/reveal': HR,
  'GET /me': 'signed-in',
  'POST /me/corrections': 'signed-in',
  'GET /departments': HR,
  'POST /departments': HR,
  'POST /departments/:departmentId': HR,
  'GET /attendance/kiosks': HR,
  'POST /attendance/kiosks': HR,
  'POST /attendance/kiosks/:kioskId/revoke': HR,
  'POST /attendance/settings': HR,
  'GET /attendance/punches': HR,
  'GET /attendance/today': ['owner', 'hr_admin', 'dept_head'],
  'GET /attendance/month': ['owner', 'hr_admin', 'dept_head'],
  'POST /attendance/enrolments': HR,
  'POST /attendance/enrolments/withdraw': HR,
  'GET /attendance/pin': 'signed-in',
  'POST /attendance/pin': 'signed-in',
  'GET /attendance/shift': HR,
  'GET /payroll/templates': HR,
  'POST /payroll/templates': HR,
  'GET /payroll/salaries': HR,
  'GET /payroll/salaries/:employeeId': HR,
  'POST /payroll/salaries/:employeeId': HR,
  'GET /payroll/runs': HR,
  'POST /payroll/runs': HR,
  'GET /payroll/runs/:runId': HR,
  'POST /payroll/runs/:runId/approve': HR,
  // Statutory files of a run (the matrix's run is a draft: a 409 Conflict, past the access decision).
  'GET /payroll/runs/:runId/files/:file': HR,
  // Sums over approved payslips, no person (security.md: finance sees totals).
  'GET /payroll/costs': ADMINS,
  // Payslips: HR any employee's; everyone their own (OWN_ONLY below: anyone else's is not found).
  'GET /payroll/payslips/:payslipId/pdf': HR,
  'GET /payroll/payslips/:payslipId/explanation': HR,
  'GET /payslips': 'signed-in',
  'GET /payslips/:payslipId/pdf': 'signed-in',
  'GET /payslips/:payslipId/explanation': 'signed-in',
  'POST /attendance/shift': HR,
  'POST /attendance/shift/holidays': HR,
  'POST /attendance/shift/holidays/remove': HR,
  'GET /attendance/punches/new': HR,
  'POST /attendance/punches': HR,
  // Everyone's own month and requests (an account without an employee record is told so).
  'GET /attendance/me': 'signed-in',
  'POST /attendance/me/regularisations': 'signed-in',
  // Heads decide for the departments they head (another department's request is not found), HR for all.
  'GET /attendance/regularisations': ['owner', 'hr_admin', 'dept_head'],
  'POST /attendance/regularisations/:regularisationId/decision': ['owner', 'hr_admin', 'dept_head'],
  // Leave: one's own (any user; without an employee record there is nothing to apply for), the approvers' queue, HR's policy.
  'GET /leave': 'signed-in',
  'POST /leave': 'signed-in',
  'POST /leave/cancel': 'signed-in',
  'GET /leave/approvals': ['owner', 'hr_admin', 'dept_head'],
  'POST /leave/approvals/:applicationId': ['owner', 'hr_admin', 'dept_head'],
  'GET /leave/policy': HR,
  'POST /leave/policy': HR,
  'POST /leave/policy/types': HR,
  'POST /leave/policy/types/remove': HR,
  // The pairing code is the credential (checked in the use case); the rest is signed by a paired kiosk.
  'POST /api/kiosk/v1/pair': 'anyone',
  // The kiosk page and its face model: the tablet has no session; the API it calls checks its key.
  'GET /kiosk': 'anyone',
  [`GET ${KIOSK_VENDOR_URL}*`]: 'anyone',
  'POST /api/kiosk/v1/challenge': 'kiosk',
  'POST /api/kiosk/v1/recognize': 'kiosk',
  'POST /api/kiosk/v1/enrol': 'kiosk',
  'POST /api/kiosk/v1/pin-punch': 'kiosk',
};

/** Routes to one's own record by id: only its owner (the demo employee of A) gets past "not found". */
const OWN_ONLY = ['GET /payslips/:payslipId/pdf', 'GET /payslips/:payslipId/explanation'];

/** A valid body where the access decision would otherwise hide behind a 400 for a missing field. */
const BODIES: Record<string, Record<string, string>> = {
  'POST /payroll/runs': { month: '2026-02' },
  'POST /users/:userId/role': { role: 'employee' },
};

type Outcome = 'pass' | 'login' | 'forbidden' | 'notfound';

function classify(status: number, location: string | undefined): Outcome {
  if (status === 401 || (status === 303 && location?.startsWith('/login?next='))) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notfound';
  return 'pass';
}

describe('authorization matrix', () => {
  const ids: Record<string, string> = {};
  /** A paired kiosk of company A: its signature opens the kiosk API and nothing else. */
  let kioskKeys: Awaited<ReturnType<typeof makeKioskKeys>>;
  const signingKioskId = newId();
  const t = useTestApp({
    seed: async (t) => {
      await seedDemo(t.db.database.db, t.config);
      const acme = (await findCompanyByDomain(t.db.database.db, 'acme.test'))!;
      const engineering = (await listDepartments(t.db.database.db, acme.id)).find((d) => d.name === 'Engineering')!;
      ids.departmentId = engineering.id;
      // An Engineering employee: inside the demo Engineering head's scope.
      ids.employeeId = (await firstEmployeeOf(t.db.database.db, acme.id, engineering.id))!.id;
      // A pending regularisation request of that employee: the Sales head's scope does not reach it.
      ids.regularisationId = newId();
      await t.db.database.db.insert(regularisations).values({
        id: ids.regularisationId,
        tenantId: acme.id,
        employeeId: ids.employeeId,
        date: '2026-01-05',
        firstIn: new Date('2026-01-05T03:30:00Z'),
        lastOut: new Date('2026-01-05T12:30:00Z'),
        reason: 'Matrix request',
        requestedBy: newId(),
        pendingKey: 1,
      });
      // A pending leave application of that employee: the Engineering head may decide it, the Sales head may not see it.
      ids.applicationId = newId();
      await t.db.database.db.insert(leaveApplications).values({
        id: ids.applicationId,
        tenantId: acme.id,
        employeeId: ids.employeeId,
        leaveType: 'CL',
        fromDate: '2026-05-06',
        toDate: '2026-05-06',
        days: 1,
        appliedBy: newId(),
      });
      // A draft pay run of company A (approving it is a 409 Conflict, past the access decision).
      ids.runId = newId();
      await t.db.database.db.insert(payRuns).values({
        id: ids.runId,
        tenantId: acme.id,
        month: '2026-03',
        status: 'draft',
        startedBy: newId(),
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      ids.file = 'ecr';
      // An approved run with a payslip of the demo employee of A: HR may open it, the employee their own.
      const [demoEmployee] = await t.db.database.db
        .select({ employeeId: users.employeeId })
        .from(users)
        .where(and(eq(users.tenantId, acme.id), eq(users.email, 'employee@acme.test')));
      const approvedRunId = newId();
      await t.db.database.db.insert(payRuns).values({
        id: approvedRunId,
        tenantId: acme.id,
        month: '2025-12',
        status: 'approved',
        startedBy: newId(),
        approvedBy: newId(),
        approvedAt: new Date(),
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      const input = { ...EXAMPLE_A_INPUT, month: '2025-12' };
      const slip = calculateEmployeeMonth(input);
      ids.payslipId = newId();
      await t.db.database.db.insert(payslips).values({
        id: ids.payslipId,
        runId: approvedRunId,
        tenantId: acme.id,
        employeeId: demoEmployee!.employeeId!,
        month: '2025-12',
        input: JSON.stringify(input),
        output: JSON.stringify(slip),
        gross: slip.gross,
        totalDeductions: slip.gross - slip.net,
        net: slip.net,
        employerCost: slip.employerCost,
        tds: slip.tds.month,
        professionalTax: slip.pt,
        esiCovered: 0,
        lopHalfDays: 0,
        createdAt: new Date(),
      });
      ids.kioskId = newId();
      await t.db.database.db.insert(kiosks).values({ id: ids.kioskId, tenantId: acme.id, name: 'Matrix kiosk', status: 'active' });
      kioskKeys = await makeKioskKeys();
      const { kty, crv, x, y } = kioskKeys.publicKeyJwk;
      await t.db.database.db
        .insert(kiosks)
        .values({ id: signingKioskId, tenantId: acme.id, name: 'Signing kiosk', status: 'active', publicKeyJwk: JSON.stringify({ kty, crv, x, y }) });
      ids.userId = await insertUser(
        t.db.database.db,
        acme.id,
        { email: 'matrix.target@acme.test', displayName: 'Target', role: 'employee', passwordHash: null, status: 'active' },
        new Date(),
      );
    },
  });

  const actors: { name: string; company?: 'A' | 'B'; role?: Role; local?: string; outsideEmployee?: boolean; kiosk?: true }[] = [
    { name: 'anonymous' },
    // No session, a valid kiosk signature on every request: anonymous everywhere but the kiosk API.
    { name: 'kiosk of A', kiosk: true },
    ...ROLES.map((role) => ({ name: `A/${role}`, company: 'A' as const, role })),
    // The head of Sales: the same role as the Engineering head, but the employee is not in their department.
    { name: 'A/dept_head of Sales', company: 'A', role: 'dept_head', local: 'head.sales', outsideEmployee: true },
    ...ROLES.map((role) => ({ name: `B/${role}`, company: 'B' as const, role })),
  ];
  const demoLocal: Record<Role, string> = { owner: 'owner', hr_admin: 'hr', finance: 'finance', dept_head: 'head.engineering', employee: 'employee' };

  function expectedOutcome(route: string, url: string, actor: (typeof actors)[number]): Outcome {
    const who = EXPECTED[route]!;
    if (who === 'anyone') return 'pass';
    if (who === 'kiosk') return actor.kiosk ? 'pass' : 'login';
    if (!actor.role) return 'login';
    if (who !== 'signed-in' && !who.includes(actor.role)) return 'forbidden';
    if (OWN_ONLY.includes(route)) return actor.company === 'A' && actor.role === 'employee' && !actor.local ? 'pass' : 'notfound';
    // Company B reaching for company A's objects: indistinguishable from a missing row.
    if (actor.company === 'B' && url !== route.split(' ')[1]) return 'notfound';
    // A row outside the actor's scope: just as missing.
    if (actor.outsideEmployee && ['employeeId', 'regularisationId', 'applicationId'].some((param) => route.includes(`:${param}`))) return 'notfound';
    return 'pass';
  }

  async function jarFor(actor: (typeof actors)[number]): Promise<Browserish> {
    if (!actor.role) return { cookie: '' };
    return sessionFor(t.app, `${actor.local ?? demoLocal[actor.role]}@${actor.company === 'A' ? 'acme.test' : 'globex.test'}`);
  }

  /** The kiosk API gets signed JSON; every other route gets what anonymous gets, plus a valid signature over its bytes. */
  async function asKiosk(method: string, url: string, jar: Browserish, token: string, route: string) {
    if (url.startsWith('/api/kiosk/')) {
      const body = JSON.stringify({ kioskId: signingKioskId });
      return t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'x-kiosk-signature': await kioskKeys.sign(body) },
        payload: body,
      });
    }
    const form = new URLSearchParams({ kioskId: signingKioskId, _csrf: token, ...BODIES[route] }).toString();
    const headers = { 'x-kiosk-signature': await kioskKeys.sign(method === 'GET' ? '' : form) };
    return method === 'GET' ? getPage(t.app, jar, url, headers) : postForm(t.app, jar, url, Object.fromEntries(new URLSearchParams(form)), headers);
  }

  it('declares a rule on every route and lists every route in the matrix', () => {
    const routes = t.app.routeRules.map((r) => `${r.method} ${r.url}`);
    expect(t.app.routeRules.filter((r) => !r.rule).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(
      routes.filter((r) => !(r in EXPECTED)),
      'routes missing from the matrix',
    ).toEqual([]);
    expect(
      Object.keys(EXPECTED).filter((r) => !routes.includes(r)),
      'matrix rows with no route',
    ).toEqual([]);
  });

  it('gives every actor exactly the expected outcome on every route', async () => {
    const mismatches: string[] = [];
    for (const { method, url: pattern } of t.app.routeRules) {
      const route = `${method} ${pattern}`;
      const url = pattern.replace(/:(\w+)/g, (_, name: string) => ids[name]!).replace('*', pattern === `${KIOSK_VENDOR_URL}*` ? 'face-api.js' : 'css/app.css');
      for (const actor of actors) {
        const jar = await jarFor(actor);
        // A token from a page the actor may open, so CSRF never masks the access decision.
        const tokenPage = await getPage(t.app, jar, actor.role ? '/account' : '/login');
        const token = /name="_csrf" value="([^"]+)"/.exec(tokenPage.body)?.[1] ?? '';
        const res = actor.kiosk
          ? await asKiosk(method, url, jar, token, route)
          : method === 'GET'
            ? await getPage(t.app, jar, url)
            : await postForm(t.app, jar, url, { _csrf: token, ...BODIES[route] });
        const got = classify(res.statusCode, res.headers.location as string | undefined);
        const want = expectedOutcome(route, url, actor);
        if (got !== want) mismatches.push(`${route} as ${actor.name}: expected ${want}, got ${got} (${res.statusCode})`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});

describe('a route without a declared rule', () => {
  const t = useTestApp({ prepare: (app) => void app.get('/forgotten', async () => 'secret') });

  it('is refused at run time and shows up as undeclared', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/forgotten' })).statusCode).toBe(403);
    expect(t.app.routeRules.filter((r) => !r.rule).map((r) => r.url)).toEqual(['/forgotten']);
  });
});
