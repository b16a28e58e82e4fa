import type { Logger } from 'pino';
import { reportMessage } from './sentry.js';

export type AlertKind = string;

export interface Alerter {
  (kind: AlertKind, details?: Record<string, unknown>): void;
}

/**
 * One structured line per alert (`{"alert": kind, ...}`) that the CloudWatch metric filter counts,
 * plus a Sentry message when Sentry is on. Details must already be free of personal data.
 */
export function createAlerter(logger: Logger): Alerter {
  return (kind, details = {}) => {
    logger.warn({ alert: kind, ...details }, `alert: ${kind}`);
    reportMessage(`alert: ${kind}`, { alert: kind, ...details });
  };
}
