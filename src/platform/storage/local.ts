import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidObjectKey, namespaceOf, validateObjectKey, validatePrefix } from './keys.js';
import { ObjectNotFound, type ObjectOwner, type ObjectStore, type PutOptions } from './object-store.js';

/**
 * Objects as files under `<dataDir>/objects/<tenantId>/<key>` (platform objects under `_platform/`),
 * for development and tests. Files are 0600 in 0700 folders: they hold payslips. A write goes to
 * `.incoming/` first and is renamed into place, so a reader never sees half a file. The content type
 * is not kept (S3 keeps it; nothing reads it back locally).
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;

  constructor(options: { dataDir: string }) {
    this.root = path.resolve(options.dataDir, 'objects');
  }

  async put(owner: ObjectOwner, key: string, body: Buffer | Readable, _options: PutOptions = {}): Promise<void> {
    const target = this.pathOf(owner, key);
    const incoming = path.join(this.root, '.incoming');
    await mkdir(incoming, { recursive: true, mode: 0o700 });
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const temporary = path.join(incoming, `${randomBytes(12).toString('hex')}.part`);
    try {
      if (Buffer.isBuffer(body)) await writeFile(temporary, body, { mode: 0o600, flag: 'wx' });
      else await pipeline(body, createWriteStream(temporary, { mode: 0o600, flags: 'wx' }));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(owner: ObjectOwner, key: string): Promise<Buffer> {
    const file = this.pathOf(owner, key);
    try {
      return await readFile(file);
    } catch (error) {
      throw notFoundOr(error, key);
    }
  }

  async getStream(owner: ObjectOwner, key: string): Promise<Readable> {
    const file = this.pathOf(owner, key);
    try {
      const stats = await stat(file);
      if (!stats.isFile()) throw new ObjectNotFound(key);
    } catch (error) {
      throw notFoundOr(error, key);
    }
    return createReadStream(file);
  }

  async delete(owner: ObjectOwner, key: string): Promise<void> {
    await rm(this.pathOf(owner, key), { force: true });
  }

  async list(owner: ObjectOwner, prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    const base = path.join(this.root, namespaceOf(owner, 'local'));
    const keys: string[] = [];
    const walk = async (dir: string, relative: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const key = relative + entry.name;
        // Only descend where the prefix can still match: listing one folder stays cheap.
        if (entry.isDirectory() && (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix))) await walk(path.join(dir, entry.name), `${key}/`);
        else if (entry.isFile() && key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk(base, '');
    return keys.sort();
  }

  /** The file for a key, checked twice: by the key rules, then that it resolves inside the namespace. */
  private pathOf(owner: ObjectOwner, key: string): string {
    validateObjectKey(key);
    const base = path.join(this.root, namespaceOf(owner, 'local'));
    const file = path.resolve(base, ...key.split('/'));
    if (!file.startsWith(base)) throw new InvalidObjectKey('it resolves outside its namespace');
    return file;
  }
}

function notFoundOr(error: unknown, key: string): Error {
  if (error instanceof ObjectNotFound) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' ? new ObjectNotFound(key) : (error as Error);
}
