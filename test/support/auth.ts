import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { cookieHeader, csrfTokenOf } from './app.js';
import { findUserByEmail } from '../../src/modules/identity/index.js';

export interface Browserish {
  cookie: string;
}

/** A page fetched with a cookie jar that follows set-cookie, like a browser would. */
export async function getPage(app: FastifyInstance, jar: Browserish, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const res = await app.inject({ method: 'GET', url, headers: { cookie: jar.cookie, ...headers } });
  jar.cookie = cookieHeader(res.headers['set-cookie'], jar.cookie);
  return res;
}

/** Submits a form the way a browser does: with the CSRF token of the page it came from. */
export async function submitForm(
  app: FastifyInstance,
  jar: Browserish,
  formPage: string,
  action: string,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const page = await getPage(app, jar, formPage);
  const token = csrfTokenOf(page.body);
  return postForm(app, jar, action, { _csrf: token, ...fields }, headers);
}

/** Posts form fields (a repeated field, e.g. checkboxes, as an array) with the jar's cookies, following set-cookie. */
export async function postForm(
  app: FastifyInstance,
  jar: Browserish,
  action: string,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
  const res = await app.inject({
    method: 'POST',
    url: action,
    headers: { cookie: jar.cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...headers },
    payload: body.toString(),
  });
  jar.cookie = cookieHeader(res.headers['set-cookie'], jar.cookie);
  return res;
}

/** Signs in through the real login form (bcrypt and all). */
export async function signIn(app: FastifyInstance, email: string, password: string, headers: Record<string, string> = {}) {
  const jar: Browserish = { cookie: '' };
  const res = await submitForm(app, jar, '/login', '/login', { email, password }, headers);
  return { jar, res };
}

/** A session minted directly (no bcrypt): for tests that need many signed-in actors quickly. */
export async function sessionFor(app: FastifyInstance, email: string): Promise<Browserish> {
  const user = await findUserByEmail(app.database.db, email);
  if (!user) throw new Error(`no user ${email}`);
  const { token } = await app.identity.sessions.start(user, { ip: '127.0.0.1', userAgent: 'test' });
  return { cookie: `__Host-session=${token}` };
}
