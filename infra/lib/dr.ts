import { Stack, Duration, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { accountKeyPolicy } from './key-policy.js';
import { fieldKeyStatements } from './keys.js';
import { DR_STORAGE_KEY_ALIAS, drBucketName } from './replication.js';
import { APP_BUCKET_LIFECYCLE, LOCKED_DOWN_BUCKET } from './storage.js';

export interface DrVaultStackProps extends StackProps {
  /** The Multi-Region field key in ap-south-1 to replicate here. */
  fieldKey: kms.IKey;
}

/** Fixed so the primary stack can name the vault without a cross-region reference. */
export const DR_VAULT_NAME = 'bizlumo-hr-dr';

export function drVaultArn(partition: string, region: string, account: string): string {
  return `arn:${partition}:backup:${region}:${account}:backup-vault:${DR_VAULT_NAME}`;
}

/**
 * Hyderabad (ap-south-2): the vault AWS Backup copies each daily recovery point into, encrypted with
 * its own key, the replicated copy of the app bucket (under a key of its own), and a replica of the
 * field-encryption key (without it a restored database's sensitive
 * fields could not be decrypted once Mumbai is gone). If Mumbai is lost, the runbook restores the newest
 * copy here (infra/README.md). No compute and no live data live in this region.
 */
export class DrVaultStack extends Stack {
  readonly vault: backup.BackupVault;
  readonly fieldKeyReplica: kms.CfnReplicaKey;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DrVaultStackProps) {
    super(scope, id, props);

    const key = new kms.Key(this, 'DrBackupKey', {
      alias: 'alias/bizlumo-hr/backup-dr',
      description: 'Bizlumo HR: disaster-recovery backup vault',
      policy: accountKeyPolicy(),
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: DR_VAULT_NAME,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: { minRetention: Duration.days(7) },
    });

    // Key policies are not shared between Multi-Region replicas, so the field key's policy is repeated.
    const policy = new iam.PolicyDocument({ statements: fieldKeyStatements(this) });
    this.fieldKeyReplica = new kms.CfnReplicaKey(this, 'FieldKeyReplica', {
      primaryKeyArn: props.fieldKey.keyArn,
      description: 'Bizlumo HR: replica of the field-encryption key for a region-level recovery',
      keyPolicy: policy,
      pendingWindowInDays: 30,
    });
    this.fieldKeyReplica.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new kms.CfnAlias(this, 'FieldKeyReplicaAlias', { aliasName: 'alias/bizlumo-hr/field', targetKeyId: this.fieldKeyReplica.attrKeyId });

    // The app bucket's objects (payslips, bank files, returns, audit archive, logical backups) arrive here
    // by S3 replication, re-encrypted under a key of this region, with the same object lock as the source.
    const storageKey = new kms.Key(this, 'DrStorageKey', {
      alias: DR_STORAGE_KEY_ALIAS,
      description: 'Bizlumo HR: copy of the app bucket in ap-south-2',
      policy: accountKeyPolicy(),
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'DataCopy', {
      bucketName: drBucketName(this.account),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: storageKey,
      bucketKeyEnabled: true,
      ...LOCKED_DOWN_BUCKET,
      objectLockEnabled: true,
      lifecycleRules: APP_BUCKET_LIFECYCLE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
