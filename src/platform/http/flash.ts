import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HOST_COOKIE } from './cookies.js';

export interface FlashMessage {
  kind: 'success' | 'error' | 'info';
  text: string;
}

const FLASH_COOKIE = '__Host-flash';

declare module 'fastify' {
  interface FastifyReply {
    /** Queue a message for the next page (post/redirect/get). */
    flash(kind: FlashMessage['kind'], text: string): FastifyReply;
  }
}

/** Flash messages ride in a short-lived signed cookie: nothing to store server-side, nothing forgeable. */
export function registerFlash(app: FastifyInstance): void {
  app.decorateReply('flash', function flash(this: FastifyReply, kind: FlashMessage['kind'], text: string) {
    const queued = [...readFlash(this.request), { kind, text }].slice(-5);
    this.setCookie(FLASH_COOKIE, JSON.stringify(queued), { ...HOST_COOKIE, signed: true, maxAge: 60 });
    return this;
  });
}

function readFlash(request: FastifyRequest): FlashMessage[] {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return [];
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return [];
  try {
    const parsed: unknown = JSON.parse(unsigned.value);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((m): m is FlashMessage => typeof m?.text === 'string' && ['success', 'error', 'info'].includes(m?.kind));
  } catch {
    return [];
  }
}

/** Messages for the page being rendered now; they are cleared so a reload does not repeat them. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): FlashMessage[] {
  const messages = readFlash(request);
  if (messages.length > 0) reply.clearCookie(FLASH_COOKIE, HOST_COOKIE);
  return messages;
}
