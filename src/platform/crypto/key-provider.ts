import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Config } from '../../config.js';

/**
 * The key service behind envelope encryption: it makes per-tenant data keys and unwraps them, and
 * the master key never leaves it. The database only ever holds `wrapped`.
 */
export interface KeyProvider {
  /** `purpose` is bound into the wrap with the tenant: a blind-index key does not unwrap as a field key. */
  generateDataKey(tenantId: string, purpose?: KeyPurpose): Promise<{ plaintext: Buffer; wrapped: Buffer; masterKeyId: string }>;
  unwrap(tenantId: string, wrapped: Buffer, purpose?: KeyPurpose): Promise<Buffer>;
  /** Wraps an existing data key (moving a tenant to this master key: keys:rewrap). */
  wrap(tenantId: string, plaintext: Buffer, purpose?: KeyPurpose): Promise<{ wrapped: Buffer; masterKeyId: string }>;
  /**
   * The id stored with each key version this provider wraps (`local:<fingerprint>`, or the KMS key
   * ARN), so a version made under another master key is refused by name instead of failing to unwrap.
   */
  currentMasterKeyId(): Promise<string>;
}

const DATA_KEY_BYTES = 32;

/** What a wrapped key is for: field values, or the blind indexes (its own key, versioned with the data key). */
export type KeyPurpose = 'field-encryption' | 'blind-index';

/** Bound into every wrap so a wrapped key copied to another tenant's row (or to the other purpose) does not unwrap. */
export const kmsEncryptionContext = (tenantId: string, purpose: KeyPurpose = 'field-encryption') => ({ tenant: tenantId, purpose });

/** The local wrap's associated data: the tenant alone for field keys (as they always were), tenant/purpose otherwise. */
const localContext = (tenantId: string, purpose: KeyPurpose) => Buffer.from(purpose === 'field-encryption' ? tenantId : `${tenantId}/${purpose}`, 'utf8');

// ---------------------------------------------------------------------------------------------
// Local file (development and tests)
// ---------------------------------------------------------------------------------------------

const LOCAL_WRAP_FORMAT = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A 256-bit master key in `<dataDir>/keys/master.key` (base64, mode 0600 in a 0700 directory),
 * created on first use. Wrapped data key = 0x01 | iv(12) | tag(16) | AES-256-GCM(data key), with the
 * tenant id as associated data. Refused in production: a key on the same disk as the app protects
 * against nothing there; production uses KMS.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly keyFile: string;
  private masterKey: Buffer | undefined;
  private fingerprint: string | undefined;

  /** `fileName`: another master key beside the field one (the backups have their own, see platform/backup). */
  constructor(options: { dataDir: string; isProduction: boolean; fileName?: string }) {
    if (options.isProduction) {
      throw new Error('The local key file is for development and tests; production must use KEY_PROVIDER=kms');
    }
    this.keyFile = path.resolve(options.dataDir, 'keys', options.fileName ?? 'master.key');
  }

  /** Short fingerprint (not the key): tells which master key wrapped a data key. */
  get masterKeyId(): string {
    this.fingerprint ??= `local:${createHash('sha256').update(this.master()).digest('hex').slice(0, 16)}`;
    return this.fingerprint;
  }

  async currentMasterKeyId(): Promise<string> {
    return this.masterKeyId;
  }

  async generateDataKey(tenantId: string, purpose: KeyPurpose = 'field-encryption'): Promise<{ plaintext: Buffer; wrapped: Buffer; masterKeyId: string }> {
    const plaintext = randomBytes(DATA_KEY_BYTES);
    return { plaintext, ...(await this.wrap(tenantId, plaintext, purpose)) };
  }

  async wrap(tenantId: string, plaintext: Buffer, purpose: KeyPurpose = 'field-encryption'): Promise<{ wrapped: Buffer; masterKeyId: string }> {
    if (plaintext.length !== DATA_KEY_BYTES) throw new Error('a data key is 256 bits');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.master(), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(localContext(tenantId, purpose));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const wrapped = Buffer.concat([Buffer.from([LOCAL_WRAP_FORMAT]), iv, cipher.getAuthTag(), sealed]);
    return { wrapped, masterKeyId: this.masterKeyId };
  }

  async unwrap(tenantId: string, wrapped: Buffer, purpose: KeyPurpose = 'field-encryption'): Promise<Buffer> {
    if (wrapped.length !== 1 + IV_BYTES + TAG_BYTES + DATA_KEY_BYTES || wrapped[0] !== LOCAL_WRAP_FORMAT) {
      throw new Error(`The wrapped data key of tenant ${tenantId} is not in the local key format`);
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.master(), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(localContext(tenantId, purpose));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error(
        `The data key of tenant ${tenantId} does not unwrap with ${this.keyFile} (a different master key file, or a key row copied from another tenant)`,
      );
    }
  }

  private master(): Buffer {
    this.masterKey ??= this.loadOrCreate();
    return this.masterKey;
  }

  private loadOrCreate(): Buffer {
    const dir = path.dirname(this.keyFile);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      return this.read();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // Write a temporary file, then link it into place: link() fails if the name exists, so two
    // processes starting together agree on one key and nobody reads a half-written file.
    const temporary = `${this.keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, `${randomBytes(DATA_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600); // the umask may have narrowed it further, never widened: make it exact
    chmodSync(dir, 0o700);
    try {
      linkSync(temporary, this.keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
    return this.read();
  }

  private read(): Buffer {
    const mode = statSync(this.keyFile).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new Error(`${this.keyFile} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${this.keyFile}`);
    }
    const key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
    if (key.length !== DATA_KEY_BYTES) throw new Error(`${this.keyFile} does not hold a 256-bit key (base64 of 32 bytes)`);
    return key;
  }
}

// ---------------------------------------------------------------------------------------------
// AWS KMS (production)
// ---------------------------------------------------------------------------------------------

/**
 * Data keys from AWS KMS. The encryption context names the tenant, so KMS refuses to decrypt a
 * wrapped key presented for another tenant, and CloudTrail records which tenant each Decrypt was for.
 * Decrypt also names the key id, so a wrapped key made under some other CMK is refused rather than
 * silently decrypted with it (changing KMS_KEY_ID therefore needs the old key kept for old versions).
 */
export class KmsKeyProvider implements KeyProvider {
  readonly client: KMSClient;
  readonly keyId: string;
  private keyArn: Promise<string> | undefined;

  constructor(options: { keyId: string; region: string; client?: KMSClient }) {
    this.keyId = options.keyId;
    this.client = options.client ?? new KMSClient({ region: options.region });
  }

  async generateDataKey(tenantId: string, purpose: KeyPurpose = 'field-encryption'): Promise<{ plaintext: Buffer; wrapped: Buffer; masterKeyId: string }> {
    let response;
    try {
      response = await this.client.send(
        new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: kmsEncryptionContext(tenantId, purpose) }),
      );
    } catch (error) {
      throw kmsError('GenerateDataKey', `for tenant ${tenantId}`, error);
    }
    if (!response.Plaintext || response.Plaintext.length !== DATA_KEY_BYTES || !response.CiphertextBlob) {
      throw new Error(`KMS GenerateDataKey for tenant ${tenantId} returned no 256-bit key`);
    }
    return {
      plaintext: Buffer.from(response.Plaintext),
      wrapped: Buffer.from(response.CiphertextBlob),
      masterKeyId: response.KeyId ?? this.keyId,
    };
  }

  /**
   * KMS answers with the key's ARN whatever KMS_KEY_ID named (an alias, a bare key id), and that ARN is
   * what the key rows record: an ARN is used as it is, anything else is resolved once with DescribeKey.
   */
  async currentMasterKeyId(): Promise<string> {
    if (/^arn:aws[a-z-]*:kms:[^:]+:[0-9]+:key\//.test(this.keyId)) return this.keyId;
    this.keyArn ??= this.client.send(new DescribeKeyCommand({ KeyId: this.keyId })).then(
      (response) => {
        if (!response.KeyMetadata?.Arn) throw new Error(`KMS DescribeKey of ${this.keyId} returned no key ARN`);
        return response.KeyMetadata.Arn;
      },
      (error: unknown) => {
        this.keyArn = undefined; // a passing failure is not remembered
        throw kmsError('DescribeKey', `of key ${this.keyId}`, error);
      },
    );
    return this.keyArn;
  }

  async wrap(tenantId: string, plaintext: Buffer, purpose: KeyPurpose = 'field-encryption'): Promise<{ wrapped: Buffer; masterKeyId: string }> {
    let response;
    try {
      response = await this.client.send(
        new EncryptCommand({ KeyId: this.keyId, Plaintext: plaintext, EncryptionContext: kmsEncryptionContext(tenantId, purpose) }),
      );
    } catch (error) {
      throw kmsError('Encrypt', `for tenant ${tenantId}`, error);
    }
    if (!response.CiphertextBlob) throw new Error(`KMS Encrypt for tenant ${tenantId} returned no ciphertext`);
    return { wrapped: Buffer.from(response.CiphertextBlob), masterKeyId: response.KeyId ?? (await this.currentMasterKeyId()) };
  }

  async unwrap(tenantId: string, wrapped: Buffer, purpose: KeyPurpose = 'field-encryption'): Promise<Buffer> {
    let response;
    try {
      response = await this.client.send(
        new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: wrapped, EncryptionContext: kmsEncryptionContext(tenantId, purpose) }),
      );
    } catch (error) {
      throw kmsError('Decrypt', `for tenant ${tenantId}`, error);
    }
    if (!response.Plaintext || response.Plaintext.length !== DATA_KEY_BYTES) {
      throw new Error(`KMS Decrypt for tenant ${tenantId} returned no 256-bit key`);
    }
    return Buffer.from(response.Plaintext);
  }
}

/** `subject`: what the call was for, as the message says it ("for tenant …", "of key …"). */
function kmsError(operation: string, subject: string, cause: unknown): Error {
  const name = (cause as { name?: string })?.name ?? 'Error';
  const message = (cause as { message?: string })?.message ?? String(cause);
  return new Error(`KMS ${operation} ${subject} failed: ${name}: ${message}`, { cause });
}

// ---------------------------------------------------------------------------------------------

export interface KeyProviderOptions {
  /** A ready KMS client (tests pass one wrapped by aws-sdk-client-mock; it also works unwrapped). */
  kmsClient?: KMSClient;
}

export function createKeyProvider(config: Pick<Config, 'keyProvider' | 'dataDir' | 'isProduction' | 'aws'>, options: KeyProviderOptions = {}): KeyProvider {
  if (config.keyProvider.kind === 'kms') {
    return new KmsKeyProvider({ keyId: config.keyProvider.keyId, region: config.aws.region, client: options.kmsClient });
  }
  return new LocalKeyProvider({ dataDir: config.dataDir, isProduction: config.isProduction });
}
