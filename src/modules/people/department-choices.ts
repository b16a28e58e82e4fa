import type { Db } from '../../platform/db/client.js';
import type { Department } from './schema.js';
import * as store from './store.js';

/**
 * How long an instance may show its memory of a company's departments in a filter. Another instance
 * shows a new or renamed department within this; the instance that made the change at once.
 */
export const DEPARTMENT_CHOICES_MS = 5000;
const MAX_COMPANIES = 10_000;

/**
 * A company's departments for the employee list's filter, which every view of the list shows: kept a
 * few seconds per company instead of one more round trip per page. Only for showing choices: the
 * check that a submitted department belongs to the company reads the table (assertDepartmentOf), and
 * a department head's choices (the departments they head) are never taken from here.
 *
 * Keyed by the tenant id, and each entry is loaded with that tenant in its WHERE, so one company's
 * list can never be shown to another. The lists are frozen: requests share them.
 */
export function createDepartmentChoices(db: Db, options: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? DEPARTMENT_CHOICES_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { departments: readonly Department[]; until: number }>();
  // One load per company at a time: a burst of list views when the entry expires makes one query.
  const loading = new Map<string, Promise<readonly Department[]>>();
  /** Bumped by forget(): a load that started before a change must not refill the cache after it. */
  let generation = 0;

  async function load(tenantId: string): Promise<readonly Department[]> {
    const startedIn = generation;
    const departments = Object.freeze((await store.listDepartments(db, tenantId)).map((department) => Object.freeze(department)));
    if (startedIn === generation) {
      if (cache.size >= MAX_COMPANIES) cache.clear();
      cache.set(tenantId, { departments, until: now() + ttlMs });
    }
    return departments;
  }

  return {
    list(tenantId: string): Promise<readonly Department[]> {
      const cached = cache.get(tenantId);
      if (cached && cached.until > now()) return Promise.resolve(cached.departments);
      let pending = loading.get(tenantId);
      if (!pending) {
        pending = load(tenantId).finally(() => {
          if (loading.get(tenantId) === pending) loading.delete(tenantId);
        });
        loading.set(tenantId, pending);
      }
      return pending;
    },

    /** After a department of this company was added or changed here. */
    forget(tenantId: string): void {
      generation++;
      cache.delete(tenantId);
      loading.delete(tenantId);
    },
  };
}

export type DepartmentChoices = ReturnType<typeof createDepartmentChoices>;
