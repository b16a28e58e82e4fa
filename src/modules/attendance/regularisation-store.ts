import type { Db } from '../../platform/db/client.js';
import type { IsoDate } from '../../platform/clock/index.js';
import type { Regularisation } from './rules/days.js';

/**
 * Approved regularisations of these employees on dates in [from, to].
 * SEAM (issue 17 item 6): the regularisation table replaces this body; until then there are none.
 */
export async function approvedRegularisations(
  _db: Db,
  _tenantId: string,
  _employeeIds: readonly string[],
  _from: IsoDate,
  _to: IsoDate,
): Promise<Map<string, Regularisation[]>> {
  return new Map();
}
