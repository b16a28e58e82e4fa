import pino, { type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../../config.js';
import { logSafeError } from './scrub.js';

/**
 * JSON lines in production and whenever stdout is not a terminal (CloudWatch, CI, `npm run dev > log`);
 * pretty only for a developer watching a terminal. Secrets and personal fields are redacted by path.
 */
export function createLogger(config: Pick<Config, 'env' | 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.env === 'test' && config.logLevel === 'info' ? 'warn' : config.logLevel,
    base: { service: 'bizlumo-hr' },
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.pan', '*.aadhaar', '*.bankAccount'],
      censor: '[redacted]',
    },
    serializers: {
      // A failed query's parameters (a bcrypt hash, an email, a name) never reach the log; its SQL does.
      err: (error: Error) => logSafeError(pino.stdSerializers.err(error) as unknown as Record<string, unknown>),
      // The URL's query string can carry tokens (password reset links): log the path only.
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, path: req.url.split('?')[0], id: req.id }),
    },
  };
  if (destination) return pino(options, destination);
  const pretty = config.env === 'development' && process.stdout.isTTY;
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' } } });
  }
  return pino(options);
}
