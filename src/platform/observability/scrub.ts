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

// bcrypt hashes, as a users row in an error would carry them.
const BCRYPT_HASH = /\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}/g;
// drizzle puts a failed query's parameters after "params:" in its message: the shape of the query stays.
const QUERY_PARAMS = /params: .*$/gm;

/** A failed query's parameters (emails, names, hashes) removed from an error's text; its SQL shape kept. */
export function withoutQueryParams(text: string): string {
  return text.replace(QUERY_PARAMS, 'params: [dropped]');
}

export function scrubText(text: string): string {
  return withoutQueryParams(text)
    .replace(BCRYPT_HASH, '[hash]')
    .replace(PAN, '[pan]')
    .replace(AADHAAR, '[aadhaar]')
    .replace(ACCOUNT_NUMBER, '[number]')
    .replace(EMAIL, '[email]');
}

const DROPPED_KEYS = new Set(['cookie', 'cookies', 'authorization', 'set-cookie', 'data', 'query_string', 'body', 'password', 'params']);

/**
 * An error as the log keeps it (pino's serialized form): no `params` of a failed query, nor the text
 * after "params:" in its message and stack, down its causes.
 */
export function logSafeError(serialized: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (key === 'params') continue;
    if (typeof value === 'string') out[key] = withoutQueryParams(value);
    else if (key === 'cause' && value && typeof value === 'object' && depth < 4) out[key] = logSafeError(value as Record<string, unknown>, depth + 1);
    else out[key] = value;
  }
  return out;
}

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
