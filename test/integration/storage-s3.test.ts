import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createObjectStore, InvalidObjectKey, ObjectNotFound, PLATFORM, S3ObjectStore } from '../../src/platform/storage/index.js';

const BUCKET = 'bizlumo-prod-data';
const STORAGE_KEY = 'arn:aws:kms:ap-south-1:111122223333:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const tenant = '0192f3a0-0000-7000-8000-0000000000a1';

describe('the S3 object store (real SDK client, send mocked)', () => {
  const client = new S3Client({ region: 'ap-south-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const s3 = mockClient(client);
  const config = loadConfig({
    NODE_ENV: 'test',
    STORAGE: 's3',
    S3_BUCKET: BUCKET,
    S3_KMS_KEY_ID: 'arn:aws:kms:ap-south-1:111122223333:key/storage',
    AWS_REGION: 'ap-south-1',
  });
  const store = createObjectStore(config, { s3Client: client, s3KmsKeyId: STORAGE_KEY });
  afterEach(() => s3.reset());
  afterAll(() => s3.restore());

  it('is what createObjectStore builds when the config says s3, in the configured region', async () => {
    expect(store).toBeInstanceOf(S3ObjectStore);
    const plain = createObjectStore(config) as S3ObjectStore;
    expect(plain.bucket).toBe(BUCKET);
    expect(await plain.client.config.region()).toBe('ap-south-1');
  });

  it('puts with SSE-KMS under the bucket key, in the tenant namespace', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.put(tenant, 'payslips/2026-11/e1.pdf', Buffer.from('%PDF'), { contentType: 'application/pdf' });
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: `tenants/${tenant}/payslips/2026-11/e1.pdf`,
      Body: Buffer.from('%PDF'),
      ContentLength: 4,
      ContentType: 'application/pdf',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: STORAGE_KEY,
      BucketKeyEnabled: true,
    });
  });

  it('still asks for SSE-KMS when no key id is configured; a stream shorter than a part is one PutObject', async () => {
    s3.on(PutObjectCommand).resolves({});
    const noKey = new S3ObjectStore({ bucket: BUCKET, region: 'ap-south-1', client });
    await noKey.put(PLATFORM, 'backups/2026-11-25.sql.gz', Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Bucket: BUCKET, Key: 'platform/backups/2026-11-25.sql.gz', ServerSideEncryption: 'aws:kms', BucketKeyEnabled: true });
    expect(input.SSEKMSKeyId).toBeUndefined();
    expect(Buffer.from(input.Body as Uint8Array)).toEqual(Buffer.from('abcd'));
  });

  it('streams a body larger than a part as a multipart upload of bounded parts, never the whole body in one request', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber: number }) => ({ ETag: `"etag-${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const MiB = 1024 * 1024;
    // 21 MiB made 64 KiB at a time as it is read, as a dump streams out of mariadb-dump.
    const chunks = (function* () {
      for (let i = 0; i < 21 * 16; i++) yield Buffer.alloc(64 * 1024, i % 251);
    })();
    const retainUntil = new Date('2026-12-31T00:00:00.000Z');
    await store.put(PLATFORM, 'backups/20261201T000000000Z-abcdef/dump.sql.enc', Readable.from(chunks), { retainUntil });

    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: 'platform/backups/20261201T000000000Z-abcdef/dump.sql.enc',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: STORAGE_KEY,
      ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: retainUntil,
    });
    const parts = s3.commandCalls(UploadPartCommand).map((call) => call.args[0].input);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect((part.Body as Buffer).length).toBeLessThanOrEqual(8 * MiB);
    expect(parts.reduce((sum, part) => sum + (part.Body as Buffer).length, 0)).toBe(21 * MiB);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts).toHaveLength(parts.length);
  });

  it('locks a small object too when asked (PutObject with GOVERNANCE retention)', async () => {
    s3.on(PutObjectCommand).resolves({});
    const retainUntil = new Date('2026-12-31T00:00:00.000Z');
    await store.put(PLATFORM, 'backups/20261201T000000000Z-abcdef/metadata.json', Buffer.from('{}'), { retainUntil });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: retainUntil });
  });

  it('gets from the tenant namespace, and turns NoSuchKey into ObjectNotFound', async () => {
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `tenants/${tenant}/exports/people.csv` }).resolves({
      // In Node the SDK's body is an IncomingMessage, a Readable; a plain Readable stands in for it.
      Body: Readable.from([Buffer.from('a,b\n')]) as never,
    });
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `tenants/${tenant}/missing.csv` }).rejects(new NoSuchKey({ message: 'missing', $metadata: {} }));
    expect((await store.get(tenant, 'exports/people.csv')).toString()).toBe('a,b\n');
    await expect(store.get(tenant, 'missing.csv')).rejects.toBeInstanceOf(ObjectNotFound);
  });

  it('deletes and lists (all pages) within the namespace, returning keys relative to it', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await store.delete(tenant, 'exports/people.csv');
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, Key: `tenants/${tenant}/exports/people.csv` });

    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: `tenants/${tenant}/payslips/b.pdf` }], IsTruncated: true, NextContinuationToken: 'next' })
      .resolvesOnce({ Contents: [{ Key: `tenants/${tenant}/payslips/a.pdf` }], IsTruncated: false });
    expect(await store.list(tenant, 'payslips/')).toEqual(['payslips/a.pdf', 'payslips/b.pdf']);
    const lists = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(lists).toEqual([
      { Bucket: BUCKET, Prefix: `tenants/${tenant}/payslips/`, ContinuationToken: undefined },
      { Bucket: BUCKET, Prefix: `tenants/${tenant}/payslips/`, ContinuationToken: 'next' },
    ]);
  });

  it.each([['../x'], ['/etc/passwd'], ['a//b'], ['a\\b'], ['a\u0000b'], ['x'.repeat(513)]])('refuses %j before calling S3', async (key) => {
    await expect(store.put(tenant, key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidObjectKey);
    await expect(store.get(tenant, key)).rejects.toBeInstanceOf(InvalidObjectKey);
    await expect(store.delete(tenant, key)).rejects.toBeInstanceOf(InvalidObjectKey);
    await expect(store.put('../other-tenant', 'x', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidObjectKey);
    expect(s3.calls()).toHaveLength(0);
  });
});
