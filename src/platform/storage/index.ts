import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../config.js';
import { LocalObjectStore } from './local.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3.js';

export { PLATFORM, ObjectNotFound } from './object-store.js';
export type { ObjectOwner, ObjectStore, PutOptions } from './object-store.js';
export { InvalidObjectKey, MAX_KEY_LENGTH, validateObjectKey } from './keys.js';
export { LocalObjectStore } from './local.js';
export { S3ObjectStore } from './s3.js';
export type { S3ObjectStoreOptions } from './s3.js';

export interface ObjectStoreOptions {
  /** A ready S3 client (tests pass one wrapped by aws-sdk-client-mock). */
  s3Client?: S3Client;
  /** Overrides config S3_KMS_KEY_ID (the bucket's customer-managed key for SSE-KMS). */
  s3KmsKeyId?: string;
}

/** The object store the config names: a local folder (default) or the S3 bucket. */
export function createObjectStore(config: Pick<Config, 'storage' | 'dataDir' | 'aws'>, options: ObjectStoreOptions = {}): ObjectStore {
  if (config.storage.kind === 's3') {
    return new S3ObjectStore({
      bucket: config.storage.bucket,
      region: config.aws.region,
      client: options.s3Client,
      kmsKeyId: options.s3KmsKeyId ?? config.storage.kmsKeyId,
    });
  }
  return new LocalObjectStore({ dataDir: config.dataDir });
}
