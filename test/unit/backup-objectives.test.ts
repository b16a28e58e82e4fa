import { describe, expect, it } from 'vitest';
import { PROMISED_RPO_SECONDS, PROMISED_RTO_SECONDS, recoveryPointCheck, recoveryTimeCheck } from '../../src/platform/backup/drill.js';

describe('the recovery objectives a drill holds itself to', () => {
  it('are 24 hours of data and 4 hours of downtime', () => {
    expect(PROMISED_RPO_SECONDS).toBe(86_400);
    expect(PROMISED_RTO_SECONDS).toBe(14_400);
  });

  it('fail above the promise and when unknown, pass at or below it', () => {
    const point = (seconds?: number) => recoveryPointCheck({ seconds, note: 'age of the backup' }).status;
    expect([point(86_400), point(86_401), point(undefined)]).toEqual(['pass', 'fail', 'fail']);
    const time = (seconds?: number) => recoveryTimeCheck(seconds, 'took').status;
    expect([time(14_400), time(14_401), time(undefined)]).toEqual(['pass', 'fail', 'fail']);
    expect(recoveryTimeCheck(5 * 3600, 'restore and verification took').detail).toBe('restore and verification took 18000 s: more than the 4 h promised');
  });
});
