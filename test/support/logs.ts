import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A real pino logger whose JSON lines the test can read: alerts are log lines, so this sees them. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; alerts: (kind?: string) => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  return {
    logger,
    lines: () => lines,
    alerts: (kind) => lines.filter((l) => l.alert !== undefined && (kind === undefined || l.alert === kind)),
  };
}
