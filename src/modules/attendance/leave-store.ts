import type { Db } from '../../platform/db/client.js';
import type { IsoDate } from '../../platform/clock/index.js';
import type { LeaveMark } from './rules/days.js';

/**
 * Approved leave of these employees as day marks (`rules/leave.ts` `leaveMarks`) on dates in [from, to].
 * SEAM (issue 17 item 7): the leave tables replace this body; until then nobody has leave.
 */
export async function approvedLeaveMarks(
  _db: Db,
  _tenantId: string,
  _employeeIds: readonly string[],
  _from: IsoDate,
  _to: IsoDate,
): Promise<Map<string, LeaveMark[]>> {
  return new Map();
}
