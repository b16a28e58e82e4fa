import type { Db } from '../../src/platform/db/client.js';
import { newId } from '../../src/platform/db/columns.js';
import { istDay, istInstant, type IsoDate } from '../../src/platform/clock/index.js';
import { punches } from '../../src/modules/attendance/index.js';

/** The instant of an IST wall-clock time on a date: `istAt('2026-11-03', '09:25')`. */
export function istAt(date: IsoDate, time: string): Date {
  const [hours, minutes] = time.split(':').map(Number);
  return istInstant(date, hours! * 60 + minutes!);
}

export interface PunchSpec {
  employeeId: string;
  at: Date;
  method?: 'face' | 'pin' | 'hr';
  direction?: 'in' | 'out';
  distance?: number | null;
  livenessScore?: number | null;
  kioskId?: string | null;
}

/**
 * Punch rows written straight to the table, as the kiosk API would leave them: for pages and reports
 * that read punches, without driving the signed API for every one. Inserted in chunks.
 */
export async function insertPunches(db: Db, tenantId: string, specs: readonly PunchSpec[]): Promise<void> {
  const rows = specs.map((p) => ({
    id: newId(),
    tenantId,
    employeeId: p.employeeId,
    kioskId: p.kioskId ?? null,
    at: p.at,
    istDay: istDay(p.at),
    direction: p.direction ?? 'in',
    method: p.method ?? 'face',
    distance: p.distance === undefined ? ((p.method ?? 'face') === 'face' ? 0.3 : null) : p.distance,
    livenessScore: p.livenessScore === undefined ? ((p.method ?? 'face') === 'face' ? 0.9 : null) : p.livenessScore,
  }));
  for (let i = 0; i < rows.length; i += 2000) await db.insert(punches).values(rows.slice(i, i + 2000));
}

/** A day's in and out punches for one employee. */
export const workedDay = (employeeId: string, date: IsoDate, from: string, to: string, method: PunchSpec['method'] = 'face'): PunchSpec[] => [
  { employeeId, at: istAt(date, from), method, direction: 'in' },
  { employeeId, at: istAt(date, to), method, direction: 'out' },
];
