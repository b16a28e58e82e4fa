import * as Sentry from '@sentry/node';
import type { Config } from '../../config.js';
import { scrubEvent } from './scrub.js';

let enabled = false;

/** Initialised only when SENTRY_DSN is set; without it every call here is a no-op. */
export function initSentry(config: Pick<Config, 'sentry'>): boolean {
  if (!config.sentry || enabled) return enabled;
  Sentry.init({
    dsn: config.sentry.dsn,
    environment: config.sentry.environment,
    // Collect nothing about people or requests; beforeSend scrubs whatever still slips in.
    dataCollection: { userInfo: false, cookies: false, httpHeaders: false, httpBodies: [], urlQueryParams: false },
    // Integrations that read request data or console output could carry personal data.
    defaultIntegrations: false,
    integrations: [],
    beforeSend: (event) => scrubEvent(event),
    beforeSendTransaction: () => null,
    tracesSampleRate: 0,
  });
  enabled = true;
  return enabled;
}

export function sentryEnabled(): boolean {
  return enabled;
}

export function reportError(error: unknown, context: { requestId?: string; method?: string; path?: string; userId?: string }): void {
  if (!enabled) return;
  Sentry.withScope((scope) => {
    if (context.requestId) scope.setTag('request_id', context.requestId);
    if (context.userId) scope.setUser({ id: context.userId });
    if (context.method && context.path) scope.setContext('request', { method: context.method, path: context.path });
    Sentry.captureException(error);
  });
}

export function reportMessage(message: string, extra: Record<string, unknown>): void {
  if (!enabled) return;
  Sentry.captureMessage(message, { level: 'warning', extra });
}

export async function flushSentry(timeoutMs = 2000): Promise<void> {
  if (enabled) await Sentry.flush(timeoutMs);
}
