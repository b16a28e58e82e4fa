import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { submitForm, type Browserish } from './auth.js';

/** Posts a form as a browser would (CSRF token from a page every signed-in user may open), asking for JSON errors. */
export async function postAs(app: FastifyInstance, jar: Browserish, url: string, fields: Record<string, string>) {
  return submitForm(app, jar, '/account', url, fields, { accept: 'application/json' });
}

/** Rows of a raw query. */
export async function selectRows<T>(app: FastifyInstance, query: ReturnType<typeof sql>): Promise<T[]> {
  const [result] = (await app.database.db.execute(query)) as unknown as [T[]];
  return result;
}
