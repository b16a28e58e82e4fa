import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createObjectStore, InvalidObjectKey, LocalObjectStore, ObjectNotFound, PLATFORM } from '../../src/platform/storage/index.js';

describe('the local object store', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bz-objects-'));
  const store = createObjectStore(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }));
  const acme = '0192f3a0-0000-7000-8000-0000000000a1';
  const globex = '0192f3a0-0000-7000-8000-0000000000b2';
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is what createObjectStore builds by default', () => {
    expect(store).toBeInstanceOf(LocalObjectStore);
    expect((store as LocalObjectStore).root).toBe(path.join(dataDir, 'objects'));
  });

  it('stores, reads, streams, lists and deletes a tenant object under <dataDir>/objects/<tenant>/<key>', async () => {
    await store.put(acme, 'payslips/2026-11/e1.pdf', Buffer.from('%PDF-1.7 acme'), { contentType: 'application/pdf' });
    const file = path.join(dataDir, 'objects', acme, 'payslips', '2026-11', 'e1.pdf');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await store.get(acme, 'payslips/2026-11/e1.pdf')).toString()).toBe('%PDF-1.7 acme');
    const chunks: Buffer[] = [];
    for await (const chunk of await store.getStream(acme, 'payslips/2026-11/e1.pdf')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('%PDF-1.7 acme');

    await store.put(acme, 'payslips/2026-12/e1.pdf', Readable.from([Buffer.from('%PDF '), Buffer.from('streamed')]));
    expect((await store.get(acme, 'payslips/2026-12/e1.pdf')).toString()).toBe('%PDF streamed');
    await store.put(acme, 'exports/people.csv', Buffer.from('a,b'));
    expect(await store.list(acme, '')).toEqual(['exports/people.csv', 'payslips/2026-11/e1.pdf', 'payslips/2026-12/e1.pdf']);
    expect(await store.list(acme, 'payslips/')).toEqual(['payslips/2026-11/e1.pdf', 'payslips/2026-12/e1.pdf']);
    expect(await store.list(acme, 'payslips/2026-1')).toEqual(['payslips/2026-11/e1.pdf', 'payslips/2026-12/e1.pdf']);
    expect(await store.list(acme, 'payslips/2026-12/')).toEqual(['payslips/2026-12/e1.pdf']);

    await store.put(acme, 'exports/people.csv', Buffer.from('replaced'));
    expect((await store.get(acme, 'exports/people.csv')).toString()).toBe('replaced');
    await store.delete(acme, 'exports/people.csv');
    await store.delete(acme, 'exports/people.csv'); // deleting twice is fine
    await expect(store.get(acme, 'exports/people.csv')).rejects.toBeInstanceOf(ObjectNotFound);
    await expect(store.getStream(acme, 'exports/people.csv')).rejects.toBeInstanceOf(ObjectNotFound);
    // No temporary files are left behind.
    expect(readdirSync(path.join(dataDir, 'objects', '.incoming'))).toEqual([]);
  });

  it('keeps tenants apart, and platform objects apart from every tenant', async () => {
    await store.put(globex, 'payslips/2026-11/e1.pdf', Buffer.from('globex'));
    await store.put(PLATFORM, 'backups/2026-11-25.sql.gz', Buffer.from('backup'));
    expect((await store.get(globex, 'payslips/2026-11/e1.pdf')).toString()).toBe('globex');
    expect((await store.get(acme, 'payslips/2026-11/e1.pdf')).toString()).toBe('%PDF-1.7 acme');
    expect(await store.list(globex, '')).toEqual(['payslips/2026-11/e1.pdf']);
    expect(await store.list(PLATFORM, '')).toEqual(['backups/2026-11-25.sql.gz']);
    expect(existsSync(path.join(dataDir, 'objects', '_platform', 'backups', '2026-11-25.sql.gz'))).toBe(true);
    await expect(store.get(globex, 'backups/2026-11-25.sql.gz')).rejects.toBeInstanceOf(ObjectNotFound);
    // The platform namespace cannot be reached by naming it as a tenant.
    await expect(store.get('_platform', 'backups/2026-11-25.sql.gz')).rejects.toBeInstanceOf(InvalidObjectKey);
    await expect(store.list('platform', '')).resolves.toEqual([]);
  });

  it.each([
    ['../x'],
    ['../../etc/passwd'],
    ['/etc/passwd'],
    ['a//b'],
    ['a\\b'],
    ['..\\..\\x'],
    ['payslips/\u0000.pdf'],
    [`${acme}/../${globex}/payslips/2026-11/e1.pdf`],
  ])('refuses the path trick %j on every operation, touching nothing', async (key) => {
    const outside = path.join(dataDir, 'x');
    writeFileSync(outside, 'outside');
    await expect(store.put(acme, key, Buffer.from('evil'))).rejects.toBeInstanceOf(InvalidObjectKey);
    await expect(store.get(acme, key)).rejects.toBeInstanceOf(InvalidObjectKey);
    await expect(store.getStream(acme, key)).rejects.toBeInstanceOf(InvalidObjectKey);
    await expect(store.delete(acme, key)).rejects.toBeInstanceOf(InvalidObjectKey);
    expect(existsSync(outside)).toBe(true);
    expect((await store.get(globex, 'payslips/2026-11/e1.pdf')).toString()).toBe('globex');
  });

  it('refuses a tenant id that is a path', async () => {
    for (const tenant of ['..', '../other', '/etc', 'a/b', '']) {
      await expect(store.put(tenant, 'x.txt', Buffer.from('evil'))).rejects.toThrow(/tenant id/);
    }
    await expect(store.list(acme, '../')).rejects.toBeInstanceOf(InvalidObjectKey);
  });
});
