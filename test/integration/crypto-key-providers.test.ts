import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createFieldCipher, createKeyProvider, KmsKeyProvider, LocalKeyProvider } from '../../src/platform/crypto/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const KEY_ARN = 'arn:aws:kms:ap-south-1:111122223333:key/0b6e2a4c-1111-2222-3333-444455556666';

describe('the local key provider', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bz-keys-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('creates a 256-bit master key file with mode 0600 in a 0700 folder on first use, and keeps it', async () => {
    const dataDir = scratch();
    const provider = new LocalKeyProvider({ dataDir, isProduction: false });
    const keyFile = path.join(dataDir, 'keys', 'master.key');
    expect(provider.keyFile).toBe(keyFile);
    const { plaintext, wrapped, masterKeyId } = await provider.generateDataKey('tenant-a');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(keyFile)).mode & 0o777).toBe(0o700);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(plaintext).toHaveLength(32);
    expect(wrapped.includes(plaintext)).toBe(false);
    expect(masterKeyId).toMatch(/^local:[0-9a-f]{16}$/);
    const before = readFileSync(keyFile);
    // A later process (a new provider over the same folder) unwraps with the same file.
    const later = new LocalKeyProvider({ dataDir, isProduction: false });
    expect(await later.unwrap('tenant-a', wrapped)).toEqual(plaintext);
    expect(readFileSync(keyFile)).toEqual(before);
  });

  it('binds a wrapped key to its tenant', async () => {
    const provider = new LocalKeyProvider({ dataDir: scratch(), isProduction: false });
    const { wrapped } = await provider.generateDataKey('tenant-a');
    await expect(provider.unwrap('tenant-b', wrapped)).rejects.toThrow(/does not unwrap/);
    await expect(provider.unwrap('tenant-a', wrapped.subarray(1))).rejects.toThrow(/not in the local key format/);
  });

  it('agrees on one master key when several processes start at once', async () => {
    const dataDir = scratch();
    const providers = Array.from({ length: 8 }, () => new LocalKeyProvider({ dataDir, isProduction: false }));
    const keys = await Promise.all(providers.map((p) => p.generateDataKey('t')));
    for (const provider of providers) {
      for (const key of keys) expect(await provider.unwrap('t', key.wrapped)).toEqual(key.plaintext);
    }
  });

  it('refuses to run in production', () => {
    expect(() => new LocalKeyProvider({ dataDir: scratch(), isProduction: true })).toThrow(/production must use KEY_PROVIDER=kms/);
    expect(() => createKeyProvider({ keyProvider: { kind: 'local' }, dataDir: scratch(), isProduction: true, aws: { region: 'ap-south-1' } })).toThrow(
      /production/,
    );
  });

  it('refuses a key file that other users can read', async () => {
    const dataDir = scratch();
    await new LocalKeyProvider({ dataDir, isProduction: false }).generateDataKey('t');
    chmodSync(path.join(dataDir, 'keys', 'master.key'), 0o644);
    await expect(new LocalKeyProvider({ dataDir, isProduction: false }).generateDataKey('t')).rejects.toThrow(/chmod 600/);
  });
});

/**
 * A stand-in for KMS behind the real SDK client (only `send` is replaced): it remembers the
 * encryption context each key was made with and, like KMS, refuses a Decrypt that does not repeat it.
 */
function fakeKms(client: KMSClient) {
  const mock = mockClient(client);
  const issued = new Map<string, { plaintext: Buffer; context: string; keyId: string }>();
  mock.on(GenerateDataKeyCommand).callsFake((input: { KeyId: string; EncryptionContext?: Record<string, string> }) => {
    const plaintext = randomBytes(32);
    const blob = Buffer.concat([Buffer.from('kms-blob:'), randomBytes(170)]);
    issued.set(blob.toString('hex'), { plaintext, context: JSON.stringify(input.EncryptionContext ?? {}), keyId: input.KeyId });
    return { Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(blob), KeyId: KEY_ARN };
  });
  mock.on(DecryptCommand).callsFake((input: { KeyId?: string; CiphertextBlob: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    const entry = issued.get(Buffer.from(input.CiphertextBlob).toString('hex'));
    if (!entry || entry.context !== JSON.stringify(input.EncryptionContext ?? {}) || entry.keyId !== input.KeyId) {
      throw Object.assign(new Error('The ciphertext refers to a customer master key that does not exist or context mismatch'), {
        name: 'InvalidCiphertextException',
      });
    }
    return { Plaintext: new Uint8Array(entry.plaintext), KeyId: KEY_ARN };
  });
  mock.on(EncryptCommand).callsFake((input: { KeyId: string; Plaintext: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    const blob = Buffer.concat([Buffer.from('kms-blob:'), randomBytes(170)]);
    issued.set(blob.toString('hex'), { plaintext: Buffer.from(input.Plaintext), context: JSON.stringify(input.EncryptionContext ?? {}), keyId: input.KeyId });
    return { CiphertextBlob: new Uint8Array(blob), KeyId: KEY_ARN };
  });
  mock.on(DescribeKeyCommand, { KeyId: 'alias/bizlumo-fields' }).resolves({ KeyMetadata: { KeyId: 'x', Arn: KEY_ARN } });
  return mock;
}

describe('the KMS key provider (real SDK client, send mocked)', () => {
  let testDb: TestDatabase;
  const client = new KMSClient({ region: 'ap-south-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const kms = fakeKms(client);
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    kms.restore();
    await testDb?.drop();
  });
  afterEach(() => kms.resetHistory());

  it('asks GenerateDataKey for an AES_256 key with the tenant in the encryption context', async () => {
    const provider = new KmsKeyProvider({ keyId: KEY_ARN, region: 'ap-south-1', client });
    const key = await provider.generateDataKey('tenant-a');
    expect(key.plaintext).toHaveLength(32);
    expect(key.masterKeyId).toBe(KEY_ARN);
    const calls = kms.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      KeyId: KEY_ARN,
      KeySpec: 'AES_256',
      EncryptionContext: { tenant: 'tenant-a', purpose: 'field-encryption' },
    });
  });

  it('sends Decrypt with the same encryption context and key id', async () => {
    const provider = new KmsKeyProvider({ keyId: KEY_ARN, region: 'ap-south-1', client });
    const key = await provider.generateDataKey('tenant-a');
    expect(await provider.unwrap('tenant-a', key.wrapped)).toEqual(key.plaintext);
    const calls = kms.commandCalls(DecryptCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      KeyId: KEY_ARN,
      CiphertextBlob: key.wrapped,
      EncryptionContext: { tenant: 'tenant-a', purpose: 'field-encryption' },
    });
    // Presented for another tenant, KMS refuses, and the error says which call and tenant.
    await expect(provider.unwrap('tenant-b', key.wrapped)).rejects.toThrow(/KMS Decrypt for tenant tenant-b failed: InvalidCiphertextException/);
  });

  it('names its master key by ARN (an alias resolved once with DescribeKey) and wraps an existing key under the tenant context', async () => {
    expect(await new KmsKeyProvider({ keyId: KEY_ARN, region: 'ap-south-1', client }).currentMasterKeyId()).toBe(KEY_ARN);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
    const byAlias = new KmsKeyProvider({ keyId: 'alias/bizlumo-fields', region: 'ap-south-1', client });
    expect(await byAlias.currentMasterKeyId()).toBe(KEY_ARN);
    expect(await byAlias.currentMasterKeyId()).toBe(KEY_ARN);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);

    const provider = new KmsKeyProvider({ keyId: KEY_ARN, region: 'ap-south-1', client });
    const dataKey = randomBytes(32);
    const wrapped = await provider.wrap('tenant-a', dataKey);
    expect(wrapped.masterKeyId).toBe(KEY_ARN);
    expect(kms.commandCalls(EncryptCommand)[0]!.args[0].input).toMatchObject({
      KeyId: KEY_ARN,
      EncryptionContext: { tenant: 'tenant-a', purpose: 'field-encryption' },
    });
    expect(await provider.unwrap('tenant-a', wrapped.wrapped)).toEqual(dataKey);
  });

  it('is what createKeyProvider builds when the config says kms, in the configured Indian region', async () => {
    const config = loadConfig({ NODE_ENV: 'test', KEY_PROVIDER: 'kms', KMS_KEY_ID: KEY_ARN, AWS_REGION: 'ap-south-2' });
    const provider = createKeyProvider(config);
    expect(provider).toBeInstanceOf(KmsKeyProvider);
    expect(await (provider as KmsKeyProvider).client.config.region()).toBe('ap-south-2');
    expect((provider as KmsKeyProvider).keyId).toBe(KEY_ARN);
    expect(createKeyProvider(loadConfig({ NODE_ENV: 'test' }))).toBeInstanceOf(LocalKeyProvider);
  });

  it('serves the field cipher end to end: one GenerateDataKey per tenant, Decrypt with its context on a cold instance', async () => {
    const config = loadConfig({ NODE_ENV: 'test', KEY_PROVIDER: 'kms', KMS_KEY_ID: KEY_ARN });
    const provider = createKeyProvider(config, { kmsClient: client });
    const tenant = newId();
    const where = { table: 'employees', column: 'bank_account_cipher', rowId: newId() };
    const writer = createFieldCipher({ db: testDb.database.db, keyProvider: provider, alert: () => {} });
    const value = await writer.encrypt(tenant, where, '000123456789');
    await writer.encrypt(tenant, { ...where, rowId: newId() }, '000987654321');
    // One data key and one blind-index key, each under its own purpose in the encryption context.
    expect(kms.commandCalls(GenerateDataKeyCommand).map((call) => call.args[0].input.EncryptionContext)).toEqual([
      { tenant, purpose: 'field-encryption' },
      { tenant, purpose: 'blind-index' },
    ]);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(0); // the fresh key is used as generated

    const reader = createFieldCipher({ db: testDb.database.db, keyProvider: provider, alert: () => {} });
    expect(await reader.decrypt(tenant, where, value)).toBe('000123456789');
    const decrypts = kms.commandCalls(DecryptCommand);
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0]!.args[0].input.EncryptionContext).toEqual({ tenant, purpose: 'field-encryption' });
  });
});
