import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { namespaceOf, validateObjectKey, validatePrefix } from './keys.js';
import { ObjectNotFound, type ObjectOwner, type ObjectStore, type PutOptions } from './object-store.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  /**
   * The bucket's customer-managed KMS key (ARN). S3 uses the AWS-managed `aws/s3` key, not the
   * bucket's default key, when a request says `aws:kms` without a key id; so pass it to have objects
   * under the key whose policy and CloudTrail we control. Without it objects are still SSE-KMS.
   */
  kmsKeyId?: string;
  client?: S3Client;
}

/**
 * Objects in one S3 bucket, under `tenants/<tenantId>/<key>` (platform objects under `platform/<key>`).
 * Every write asks for SSE-KMS with an S3 Bucket Key (one KMS call per bucket-key period, not per
 * object). A Buffer is one PutObject. A stream (a backup dump, of any size) is a multipart upload of
 * PART_BYTES parts with PARTS_IN_FLIGHT of them uploading at once, so memory stays near
 * (PARTS_IN_FLIGHT + 1) × PART_BYTES however large the object; a stream shorter than a part is one PutObject.
 */

const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly kmsKeyId: string | undefined;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.kmsKeyId = options.kmsKeyId;
    this.client = options.client ?? new S3Client({ region: options.region });
  }

  async put(owner: ObjectOwner, key: string, body: Buffer | Readable, options: PutOptions = {}): Promise<void> {
    const input: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: this.keyOf(owner, key),
      ContentType: options.contentType ?? 'application/octet-stream',
      ServerSideEncryption: 'aws:kms',
      BucketKeyEnabled: true,
      ...(this.kmsKeyId ? { SSEKMSKeyId: this.kmsKeyId } : {}),
      // GOVERNANCE: only a principal granted s3:BypassGovernanceRetention (no task role is) can delete this version early.
      ...(options.retainUntil ? { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: options.retainUntil } : {}),
    };
    if (Buffer.isBuffer(body)) {
      await this.client.send(new PutObjectCommand({ ...input, Body: body, ContentLength: body.length }));
      return;
    }
    // A failed upload aborts itself (leavePartsOnError false), so no orphaned parts are left to pay for.
    await new Upload({
      client: this.client,
      params: { ...input, Body: body },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    }).done();
  }

  async get(owner: ObjectOwner, key: string): Promise<Buffer> {
    const stream = await this.getStream(owner, key);
    return collect(stream);
  }

  async getStream(owner: ObjectOwner, key: string): Promise<Readable> {
    const objectKey = this.keyOf(owner, key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      const body = response.Body;
      if (!body) throw new ObjectNotFound(key);
      if (body instanceof Readable) return body;
      // Outside Node the SDK may hand back a web stream or bytes; normalise for our callers.
      const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      return Readable.from([Buffer.from(bytes)]);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') throw new ObjectNotFound(key);
      throw error;
    }
  }

  async delete(owner: ObjectOwner, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(owner, key) }));
  }

  async list(owner: ObjectOwner, prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    const namespace = namespaceOf(owner, 's3');
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: namespace + prefix, ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        if (item.Key?.startsWith(namespace)) keys.push(item.Key.slice(namespace.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  private keyOf(owner: ObjectOwner, key: string): string {
    return namespaceOf(owner, 's3') + validateObjectKey(key);
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
