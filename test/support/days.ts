import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { and, eq } from 'drizzle-orm';
import { submitForm, type Browserish } from './auth.js';
import { auditEvents } from '../../src/modules/audit/index.js';
import type { Db } from '../../src/platform/db/client.js';

/**
 * Posts a form as a browser does, with repeated fields (checkboxes) allowed, and the CSRF token of a page
 * every signed-in role may open (`/account`): a refusal is then the route's, never the token's.
 */
export async function sendForm(
  app: FastifyInstance,
  jar: Browserish,
  action: string,
  fields: Record<string, string | string[]>,
): Promise<LightMyRequestResponse> {
  return submitForm(app, jar, '/account', action, fields);
}

/** The company's audit entries with this action, details parsed. */
export async function auditOf(db: Db, tenantId: string, action: string) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, action)));
  return rows.map((row) => ({ ...row, details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null }));
}

/** The text of one calendar cell of the month page (`data-date`), tags stripped, spaces collapsed. */
export function dayCellText(html: string, date: string): string {
  const match = new RegExp(`<td data-date="${date}"[^>]*>([\\s\\S]*?)</td>`).exec(html);
  if (!match) throw new Error(`no calendar cell for ${date}`);
  return match[1]!
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The value of one month total (`data-total`) on the month page. */
export function monthTotal(html: string, name: string): string {
  const match = new RegExp(`data-total="${name}">([^<]*)<`).exec(html);
  if (!match) throw new Error(`no total ${name}`);
  return match[1]!;
}

/** The problems a 400 page lists (`partials/field-errors.njk`), as `field: message` lines. */
export function problemsOf(html: string): string[] {
  return [...html.matchAll(/<li><strong>([^<]*)<\/strong>: ([^<]*)<\/li>/g)].map((m) => `${m[1]}: ${m[2]}`);
}
