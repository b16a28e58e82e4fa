import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../../src/platform/db/admin.js';
import { PLATFORM, type ObjectStore } from '../../src/platform/storage/index.js';
import {
  BackupRefused,
  createBackupMasterKey,
  kmsBackupMasterKey,
  localBackupMasterKey,
  type BackupMasterKey,
  metadataKey,
  restoreBackup,
  takeBackup,
  type BackupMetadata,
  type RefusalReason,
  type TableFingerprint,
} from '../../src/platform/backup/index.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { databaseExists, dropAll, fingerprintOf, seededSource, type BackupSource } from '../support/backup.js';

/**
 * Bad input for the restore: every case is refused with a message naming the problem, the target
 * database is never created (or is dropped), and the source database is untouched.
 */
describe('a restore refuses a backup it cannot trust, and creates nothing', () => {
  let from: BackupSource;
  let metadata: BackupMetadata;
  let original: { dump: Buffer; metadata: Buffer };
  let sourceBefore: TableFingerprint[];
  const targets: string[] = [];
  const scratchDirs: string[] = [];

  beforeAll(async () => {
    from = await seededSource();
    // Small frames, so the file has many of them and damage can land in the middle of one.
    metadata = await takeBackup({ databaseUrl: from.source.url, backupKey: from.backupKey, store: from.store, frameBytes: 16 * 1024 });
    original = { dump: await from.store.get(PLATFORM, metadata.object), metadata: await from.store.get(PLATFORM, metadataKey(metadata.id)) };
    sourceBefore = await fingerprintOf(from.source.url);
  });
  afterEach(async () => {
    // Put the good backup back for the next case.
    await from.store.put(PLATFORM, metadata.object, original.dump);
    await from.store.put(PLATFORM, metadataKey(metadata.id), original.metadata);
  });
  afterAll(async () => {
    await dropAll(targets);
    for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
    await from?.remove();
  });

  /** Restores into a fresh name, expects the refusal, and that nothing was created or changed. */
  async function expectRefused(reason: RefusalReason, message: RegExp, options: { backupKey?: BackupMasterKey; backupId?: string; target?: string } = {}) {
    const target = options.target ?? scratchDatabaseUrl('refused');
    targets.push(target);
    const existed = await databaseExists(target);
    const attempt = restoreBackup({
      backupId: options.backupId ?? metadata.id,
      targetDatabaseUrl: target,
      backupKey: options.backupKey ?? from.backupKey,
      store: from.store,
    });
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackupRefused);
    expect((error as BackupRefused).reason).toBe(reason);
    expect((error as BackupRefused).message).toMatch(message);
    expect(await databaseExists(target)).toBe(existed);
    expect(await fingerprintOf(from.source.url)).toEqual(sourceBefore);
    return error as BackupRefused;
  }

  it('one changed byte anywhere in the file', async () => {
    expect(metadata.cipher.frames).toBeGreaterThan(3);
    for (const at of [3, 40, Math.floor(original.dump.length / 2), original.dump.length - 1]) {
      const damaged = Buffer.from(original.dump);
      damaged[at] = damaged[at]! ^ 0x01;
      await from.store.put(PLATFORM, metadata.object, damaged);
      await expectRefused('altered', /has been altered: its SHA-256 differs from the metadata's \(one or more bytes changed\)/);
    }
  });

  it('a truncated file, whether cut inside a frame or at the end', async () => {
    for (const keep of [original.dump.length - 1, original.dump.length - 17, Math.floor(original.dump.length / 3), 10]) {
      await from.store.put(PLATFORM, metadata.object, original.dump.subarray(0, keep));
      await expectRefused('truncated', new RegExp(`is truncated: ${keep} of ${original.dump.length} bytes`));
    }
  });

  it('a file with bytes appended', async () => {
    await from.store.put(PLATFORM, metadata.object, Buffer.concat([original.dump, Buffer.from('x')]));
    await expectRefused('extra_bytes', /1 bytes more than the backup wrote/);
  });

  it('metadata changed (a row count), or replaced by something that is not JSON', async () => {
    const edited = JSON.parse(original.metadata.toString()) as BackupMetadata;
    edited.tables.find((t) => t.name === 'employees')!.rows = 119;
    await from.store.put(PLATFORM, metadataKey(metadata.id), Buffer.from(JSON.stringify(edited)));
    await expectRefused('metadata_altered', /metadata of backup .* has been altered: its MAC does not verify/);

    // Consistent edits to both the hash in the metadata and the file still fail on the MAC.
    const damaged = Buffer.from(original.dump);
    damaged[100] = damaged[100]! ^ 0xff;
    const rehashed = { ...(JSON.parse(original.metadata.toString()) as BackupMetadata), ciphertextSha256: createHash('sha256').update(damaged).digest('hex') };
    await from.store.put(PLATFORM, metadata.object, damaged);
    await from.store.put(PLATFORM, metadataKey(metadata.id), Buffer.from(JSON.stringify(rehashed)));
    await expectRefused('metadata_altered', /MAC does not verify/);

    await from.store.put(PLATFORM, metadataKey(metadata.id), Buffer.from('{"format": "bizlumo-backup/v1", '));
    await expectRefused('metadata_unreadable', /not valid JSON/);
  });

  it("a backup made under another installation's backup key", async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'bz-other-install-'));
    scratchDirs.push(otherDir);
    const other = localBackupMasterKey({ dataDir: otherDir, isProduction: false });
    await other.newDataKey('warm-up'); // that installation has its own key file
    const error = await expectRefused('foreign_key', /does not unwrap under the backup key .*another installation's backup key/, { backupKey: other });
    expect(error.message).toContain(from.backupKey.id);
    expect(error.message).toContain(other.id);
  });

  it('a backup key that was deleted: refused, and no new key file is made in its place', async () => {
    const keyFile = path.join(from.config.dataDir, 'keys', 'backup.key');
    const saved = readFileSync(keyFile);
    unlinkSync(keyFile);
    try {
      const fresh = localBackupMasterKey({ dataDir: from.config.dataDir, isProduction: false });
      await expectRefused('key_missing', /the backup key file .*backup\.key does not exist/, { backupKey: fresh });
      expect(existsSync(keyFile)).toBe(false);
    } finally {
      writeFileSync(keyFile, saved, { mode: 0o600 });
    }
  });

  it('a target database that already exists with tables, including the source itself', async () => {
    const error = await expectRefused('target_exists', /already exists and has \d+ tables: a restore never writes into an existing database/, {
      target: from.source.url,
    });
    expect(error.message).toContain(from.source.url.split('/').pop());

    const occupied = scratchDatabaseUrl('occupied');
    targets.push(occupied);
    await ensureDatabase(occupied);
    const connection = await mysql.createConnection({ uri: occupied });
    await connection.query('CREATE TABLE precious (id int primary key)');
    await connection.query('INSERT INTO precious VALUES (1)');
    await connection.end();
    await expectRefused('target_exists', /already exists and has 1 table:/, { target: occupied });
    const check = await mysql.createConnection({ uri: occupied });
    const [rows] = await check.query('SELECT COUNT(*) AS n FROM precious');
    await check.end();
    expect((rows as { n: number }[])[0]!.n).toBe(1);
  });

  it('a file that changes between the check and the load: the half-loaded database is dropped', async () => {
    // The first read (the check) sees the good file; the second (the load) a damaged one.
    let reads = 0;
    const damaged = Buffer.from(original.dump);
    damaged[damaged.length - 40] = damaged[damaged.length - 40]! ^ 0x01;
    const swapping: ObjectStore = {
      put: (...args) => from.store.put(...args),
      get: (...args) => from.store.get(...args),
      delete: (...args) => from.store.delete(...args),
      list: (...args) => from.store.list(...args),
      getStream: async (owner, key) => {
        if (key !== metadata.object || reads++ === 0) return from.store.getStream(owner, key);
        return Readable.from([damaged]);
      },
    };
    const target = scratchDatabaseUrl('swapped');
    targets.push(target);
    const error = await restoreBackup({ backupId: metadata.id, targetDatabaseUrl: target, backupKey: from.backupKey, store: swapping }).catch(
      (e: unknown) => e,
    );
    expect(reads).toBe(2);
    expect(error).toBeInstanceOf(BackupRefused);
    expect((error as BackupRefused).message).toMatch(/frame \d+ does not authenticate/);
    expect(await databaseExists(target)).toBe(false);
    expect(await fingerprintOf(from.source.url)).toEqual(sourceBefore);
  });

  it('a backup id that does not exist, or is not an id', async () => {
    await expectRefused('not_found', /No backup 20200101T000000000Z-000000/, { backupId: '20200101T000000000Z-000000' });
    await expectRefused('not_found', /is not a backup id/, { backupId: '../../keys/master.key' });
  });

  describe("under KMS (the SDK client's send mocked: KMS is outside this machine)", () => {
    const KEY_ARN = 'arn:aws:kms:ap-south-1:111122223333:key/backup-test';
    const client = new KMSClient({ region: 'ap-south-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
    const kms = mockClient(client);
    const provider = kmsBackupMasterKey({ keyId: KEY_ARN, region: 'ap-south-1', client });
    let kmsBackup: BackupMetadata;

    beforeAll(async () => {
      kms.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(randomBytes(32)), CiphertextBlob: new Uint8Array(randomBytes(184)), KeyId: KEY_ARN });
      kmsBackup = await takeBackup({ databaseUrl: from.source.url, backupKey: provider, store: from.store });
      expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toMatchObject({
        KeyId: KEY_ARN,
        EncryptionContext: { purpose: 'logical-backup', backup: kmsBackup.id },
      });
    });
    afterAll(() => kms.restore());

    it('the restore asks KMS for the backup key and the context of the backup it was asked for, whatever the metadata says', async () => {
      kms.on(DecryptCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      await expectRefused('key_unusable', /could not be unwrapped/, { backupKey: provider, backupId: kmsBackup.id });
      expect(kms.commandCalls(DecryptCommand).at(-1)!.args[0].input).toMatchObject({
        KeyId: KEY_ARN,
        EncryptionContext: { purpose: 'logical-backup', backup: kmsBackup.id },
      });
    });

    it('the commands need BACKUP_KMS_KEY_ID, and not the field key, when KEY_PROVIDER=kms', () => {
      const config = { keyProvider: { kind: 'kms' as const, keyId: 'field-key' }, dataDir: '/nonexistent', isProduction: true, aws: { region: 'ap-south-1' } };
      expect(() => createBackupMasterKey({ ...config, backupKmsKeyId: undefined })).toThrow(/BACKUP_KMS_KEY_ID is required/);
      expect(() => createBackupMasterKey({ ...config, backupKmsKeyId: 'field-key' })).toThrow(/must not be the field key/);
      expect(createBackupMasterKey({ ...config, backupKmsKeyId: KEY_ARN }, { kmsClient: client }).id).toBe(KEY_ARN);
    });

    it('a KMS key pending deletion', async () => {
      kms.on(DecryptCommand).rejects(Object.assign(new Error(`${KEY_ARN} is pending deletion.`), { name: 'KMSInvalidStateException' }));
      await expectRefused('key_missing', /its KMS key .* is disabled, pending deletion or deleted/, { backupKey: provider, backupId: kmsBackup.id });
    });

    it("a backup made under another account's or region's KMS key", async () => {
      kms
        .on(DecryptCommand)
        .rejects(Object.assign(new Error('The ciphertext refers to a customer master key that does not exist'), { name: 'InvalidCiphertextException' }));
      await expectRefused('foreign_key', /made under another key .* than this installation's KMS key/, { backupKey: provider, backupId: kmsBackup.id });
    });
  });
});
