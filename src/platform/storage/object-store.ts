import type { Readable } from 'node:stream';

/**
 * Where files live (payslip PDFs, exports, kiosk photos, backups): a local folder in development,
 * S3 with SSE-KMS in production. Every object belongs to an owner:
 *
 * - a tenant id (a company): the object sits under that tenant's namespace only
 *   (S3 `tenants/<tenantId>/<key>`, local `<dataDir>/objects/<tenantId>/<key>`);
 * - `PLATFORM`, a symbol, for platform data that belongs to no tenant (backups, reports across
 *   tenants): S3 `platform/<key>`, local `<dataDir>/objects/_platform/<key>`. Being a symbol, it can
 *   never come from a request, a form field or a database column, so no tenant string can reach it.
 *
 * Keys are validated on every call (see keys.ts); build them from ids the app made (say
 * `payslips/2026-11/<employeeId>.pdf`), never from a file name a user typed.
 */
export const PLATFORM: unique symbol = Symbol('platform');

export type ObjectOwner = string | typeof PLATFORM;

export interface PutOptions {
  contentType?: string;
  /**
   * S3 Object Lock in GOVERNANCE mode until then (the bucket has Object Lock on): the version cannot be
   * deleted or overwritten before, even by the app. The local store ignores it.
   */
  retainUntil?: Date;
}

export interface ObjectStore {
  put(owner: ObjectOwner, key: string, body: Buffer | Readable, options?: PutOptions): Promise<void>;
  /** The whole object; throws ObjectNotFound when there is none. */
  get(owner: ObjectOwner, key: string): Promise<Buffer>;
  /** The object as a stream, for large files sent straight to a response. */
  getStream(owner: ObjectOwner, key: string): Promise<Readable>;
  /** Removing a missing object is not an error (as in S3). */
  delete(owner: ObjectOwner, key: string): Promise<void>;
  /** Keys under `prefix` ('' for all, otherwise ending in '/' or a key start), relative to the owner, sorted. */
  list(owner: ObjectOwner, prefix: string): Promise<string[]>;
}

export class ObjectNotFound extends Error {
  readonly code = 'object_not_found';
  constructor(readonly key: string) {
    super(`No stored object at "${key}"`);
    this.name = 'ObjectNotFound';
  }
}
