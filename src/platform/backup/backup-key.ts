import { existsSync } from 'node:fs';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Config } from '../../config.js';
import { LocalKeyProvider } from '../crypto/index.js';

/**
 * The backup master key: it wraps each backup's fresh data key, and it is not the field key. The app's
 * role may make field data keys under any context it likes and may write under the backups prefix, so a
 * backup whose key the field key could unwrap is a backup the app could forge. In production it is a KMS
 * key of its own (BACKUP_KMS_KEY_ID) whose policy lets only the backup, restore and drill tasks use it
 * (infra/); locally a key file of its own, `<DATA_DIR>/keys/backup.key`, beside the field `master.key`.
 *
 * Every wrap is bound to one backup by the context `{ purpose: "logical-backup", backup: "<id>" }`
 * (KMS encryption context; the associated data of the local wrap): a wrapped key opens only for the
 * backup it was made for, and CloudTrail names the backup each Decrypt was for. The restore builds this
 * context from the id it was asked to restore, never from the metadata.
 */

export interface BackupKeyContext {
  purpose: 'logical-backup';
  backup: string;
}

export const backupKeyContext = (backupId: string): BackupKeyContext => ({ purpose: 'logical-backup', backup: backupId });

export interface BackupMasterKey {
  /** The KMS key id, or `local:<fingerprint>` (reading it creates a missing local key file: check `missing` first). */
  readonly id: string;
  newDataKey(backupId: string): Promise<{ plaintext: Buffer; wrapped: Buffer; masterKeyId: string }>;
  unwrap(backupId: string, wrapped: Buffer): Promise<Buffer>;
  /** Why the key cannot be there at all (a deleted local key file), so a restore says so instead of making a new one. */
  missing(): string | undefined;
}

/** Local: one string naming both parts of the context, as the wrap's associated data. */
const localContext = (backupId: string) => `purpose=logical-backup;backup=${backupId}`;

export function localBackupMasterKey(options: { dataDir: string; isProduction: boolean }): BackupMasterKey {
  const file = new LocalKeyProvider({ ...options, fileName: 'backup.key' });
  return {
    get id() {
      return file.masterKeyId;
    },
    newDataKey: (backupId) => file.generateDataKey(localContext(backupId)),
    unwrap: (backupId, wrapped) => file.unwrap(localContext(backupId), wrapped),
    missing: () => (existsSync(file.keyFile) ? undefined : `the backup key file ${file.keyFile} does not exist`),
  };
}

export function kmsBackupMasterKey(options: { keyId: string; region: string; client?: KMSClient }): BackupMasterKey {
  const { keyId } = options;
  const client = options.client ?? new KMSClient({ region: options.region });
  const failed = (operation: string, backupId: string, cause: unknown) => {
    const { name, message } = cause as { name?: string; message?: string };
    return new Error(`KMS ${operation} for backup ${backupId} failed: ${name ?? 'Error'}: ${message ?? String(cause)}`, { cause });
  };
  return {
    id: keyId,
    async newDataKey(backupId) {
      const response = await client
        .send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { ...backupKeyContext(backupId) } }))
        .catch((error: unknown) => Promise.reject(failed('GenerateDataKey', backupId, error)));
      if (response.Plaintext?.length !== 32 || !response.CiphertextBlob) throw new Error(`KMS GenerateDataKey for backup ${backupId} returned no 256-bit key`);
      return { plaintext: Buffer.from(response.Plaintext), wrapped: Buffer.from(response.CiphertextBlob), masterKeyId: response.KeyId ?? keyId };
    },
    async unwrap(backupId, wrapped) {
      // KeyId pins the backup key: a blob made under any other key (the field key) is refused by KMS, not decrypted with it.
      const response = await client
        .send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: { ...backupKeyContext(backupId) } }))
        .catch((error: unknown) => Promise.reject(failed('Decrypt', backupId, error)));
      if (response.Plaintext?.length !== 32) throw new Error(`KMS Decrypt for backup ${backupId} returned no 256-bit key`);
      return Buffer.from(response.Plaintext);
    },
    missing: () => undefined,
  };
}

/**
 * The backup master key the config names. With KMS it needs BACKUP_KMS_KEY_ID, a key other than the field
 * key: only the backup commands call this, so the app server runs without it.
 */
export function createBackupMasterKey(
  config: Pick<Config, 'keyProvider' | 'backupKmsKeyId' | 'dataDir' | 'isProduction' | 'aws'>,
  options: { kmsClient?: KMSClient } = {},
): BackupMasterKey {
  if (config.keyProvider.kind === 'local') return localBackupMasterKey(config);
  if (!config.backupKmsKeyId) throw new Error('BACKUP_KMS_KEY_ID is required for backups when KEY_PROVIDER=kms (the backup key, not the field key)');
  if (config.backupKmsKeyId === config.keyProvider.keyId) {
    throw new Error('BACKUP_KMS_KEY_ID must not be the field key (KMS_KEY_ID): the app may use that one, and could then forge a backup');
  }
  return kmsBackupMasterKey({ keyId: config.backupKmsKeyId, region: config.aws.region, client: options.kmsClient });
}
