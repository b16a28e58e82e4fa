import { createLoadingCache } from '../../platform/cache/loading-cache.js';
import type { Db } from '../../platform/db/client.js';
import type { Department } from './schema.js';
import * as store from './store.js';

/**
 * How long an instance may show its memory of a company's departments in a filter. Another instance
 * shows a new or renamed department within this; the instance that made the change at once.
 */
export const DEPARTMENT_CHOICES_MS = 5000;

/**
 * A company's departments for the employee list's filter, which every view of the list shows: kept a
 * few seconds per company instead of one more round trip per page. Only for showing choices: the
 * check that a submitted department belongs to the company reads the table (assertDepartmentOf), and
 * a department head's choices (the departments they head) are never taken from here.
 *
 * Keyed by the tenant id, and each entry is loaded with that tenant in its WHERE, so one company's
 * list can never be shown to another. The lists are frozen: requests share them.
 */
export function createDepartmentChoices(db: Db) {
  const lists = createLoadingCache<readonly Department[]>({ maxEntries: 10_000, ttlMs: DEPARTMENT_CHOICES_MS });
  const load = async (tenantId: string) => Object.freeze((await store.listDepartments(db, tenantId)).map((department) => Object.freeze(department)));
  return {
    async list(tenantId: string): Promise<readonly Department[]> {
      return (await lists.get(tenantId, () => load(tenantId))) ?? [];
    },
    /** After a department of this company was added or changed here. */
    forget: (tenantId: string) => lists.forget(tenantId),
  };
}
