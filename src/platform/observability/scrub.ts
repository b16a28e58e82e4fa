/**
 * Sentry's hosted service keeps events outside India, so an event must carry no personal data at all
 * (security.md, "Monitoring and alerts"). This scrubber is pure so it can be tested without Sentry.
 */

// PAN: five letters, four digits, a letter (Income Tax Department format).
const PAN = /\b[A-Z]{5}[0-9]{4}[A-Z]\b/gi;
// Aadhaar: 12 digits, often written in groups of four.
const AADHAAR = /\b\d{4}[\s-]?\d{4}[\s-]?\d{4}\b/g;
// Bank account numbers in India run from 9 to 18 digits.
const ACCOUNT_NUMBER = /\b\d{9,18}\b/g;
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;

export function scrubText(text: string): string {
  return text.replace(PAN, '[pan]').replace(AADHAAR, '[aadhaar]').replace(ACCOUNT_NUMBER, '[number]').replace(EMAIL, '[email]');
}

const DROPPED_KEYS = new Set(['cookie', 'cookies', 'authorization', 'set-cookie', 'data', 'query_string', 'body', 'password']);

export function scrubValue(value: unknown, depth = 0): unknown {
  if (depth > 12) return '[deep]';
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (DROPPED_KEYS.has(key.toLowerCase())) continue;
      out[key] = scrubValue(inner, depth + 1);
    }
    return out;
  }
  return value;
}

interface EventLike {
  request?: { url?: string; method?: string; headers?: Record<string, string> };
  user?: { id?: string | number };
}

/** Sentry `beforeSend`: request bodies, cookies, auth headers and query strings go; users keep only an opaque id. */
export function scrubEvent<T extends object>(original: T): T {
  const event = original as EventLike;
  const scrubbed = scrubValue(original) as T & EventLike;
  if (event.request) {
    const url = event.request.url ? scrubText(event.request.url.split('?')[0]!) : undefined;
    const headers = Object.fromEntries(
      Object.entries(event.request.headers ?? {})
        .filter(([name]) => !DROPPED_KEYS.has(name.toLowerCase()))
        .map(([name, v]) => [name, scrubText(String(v))]),
    );
    scrubbed.request = { url, headers, method: event.request.method };
  }
  if (event.user) scrubbed.user = event.user.id !== undefined ? { id: String(event.user.id) } : undefined;
  return scrubbed;
}
