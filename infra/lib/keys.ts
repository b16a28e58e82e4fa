import { Stack, Duration, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { administration, allowRoles, denyRoles } from './key-policy.js';
import { BACKUP_ROLE_NAME, BREAK_GLASS_ROLE_NAME, DRILL_ROLE_NAME, TASK_ROLE_NAME } from './roles.js';

/**
 * The encryption context every use of the field key must carry. The app's KMS key provider
 * (src/platform/crypto/key-provider.ts) passes `{ tenant: <tenant id>, purpose: 'field-encryption' }`
 * when it generates or unwraps a tenant's data key, so a wrapped data key copied to another tenant
 * fails to unwrap, and CloudTrail shows which tenant each use was for.
 */
export const FIELD_KEY_CONTEXT = 'tenant';
export const FIELD_KEY_PURPOSE = 'field-encryption';
/** Each data key version also has a blind-index key (the PAN look-up), wrapped with this purpose instead. */
export const INDEX_KEY_PURPOSE = 'blind-index';

/** The app's logical backups (src/platform/backup) ask for data keys with `{ purpose, backup: <id> }`. */
export const LOGICAL_BACKUP_PURPOSE = 'logical-backup';

/**
 * The field key's policy, also used by its DR replica (replicas do not share policies): administered by the
 * root without any use, used by the web tasks (data keys with a tenant context), decrypted by the restore
 * drill (it samples every encrypted column) and by break-glass; and never without a tenant context.
 */
export function fieldKeyStatements(scope: Construct): iam.PolicyStatement[] {
  const purpose = { StringEquals: { 'kms:EncryptionContext:purpose': FIELD_KEY_PURPOSE } };
  return [
    ...administration(),
    allowRoles(scope, 'AppTasksUseDataKeys', [TASK_ROLE_NAME], ['kms:GenerateDataKey', 'kms:Decrypt'], purpose),
    allowRoles(scope, 'DrillAndBreakGlassDecrypt', [DRILL_ROLE_NAME, BREAK_GLASS_ROLE_NAME], ['kms:Decrypt'], purpose),
    denyFieldKeyUseWithoutTenant(),
  ];
}

/** Every cryptographic use of the field key (and its DR replica) must name a tenant in its encryption context. */
export function denyFieldKeyUseWithoutTenant(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyUseWithoutTenantContext',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { Null: { [`kms:EncryptionContext:${FIELD_KEY_CONTEXT}`]: 'true' } },
  });
}

/**
 * Customer-managed keys, one per purpose, so that a grant on one never reaches the others:
 * - database: RDS storage, snapshots and automated backups;
 * - field: wraps each tenant's data key for field-level encryption (PAN, bank account, Aadhaar last-4,
 *   face embeddings). Deliberately separate from the database key: reading a snapshot must not be
 *   enough to decrypt those fields, and the app must not be able to use the database key;
 * - storage: SSE-KMS for the S3 bucket;
 * - logs: CloudWatch log groups (app logs may hold IP addresses);
 * - backup: the AWS Backup vault;
 * - logical backup: the app's own encrypted dumps; the web tasks can never use it, only the backup task
 *   encrypts and only the restore drill (and break-glass) decrypts.
 * All symmetric keys rotate yearly (KMS keeps old versions, so nothing needs re-encrypting).
 */
export class KeysStack extends Stack {
  readonly databaseKey: kms.Key;
  readonly fieldKey: kms.Key;
  readonly storageKey: kms.Key;
  readonly logsKey: kms.Key;
  readonly backupKey: kms.Key;
  readonly logicalBackupKey: kms.Key;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);

    this.databaseKey = this.key('Database', 'alias/bizlumo-hr/database', 'RDS storage, snapshots and backups');
    // Multi-Region, replicated to ap-south-2 by the DR stack: after losing Mumbai, the wrapped tenant data
    // keys restored from a backup copy can still be unwrapped, so the sensitive fields come back too.
    this.fieldKey = this.key('Field', 'alias/bizlumo-hr/field', 'Wraps tenant data keys for field-level encryption', true, fieldKeyStatements(this));
    this.storageKey = this.key('Storage', 'alias/bizlumo-hr/storage', 'SSE-KMS for the app bucket');
    this.logsKey = this.key('Logs', 'alias/bizlumo-hr/logs', 'CloudWatch Logs');
    this.backupKey = this.key('Backup', 'alias/bizlumo-hr/backup', 'AWS Backup vault');
    this.logicalBackupKey = this.key('LogicalBackup', 'alias/bizlumo-hr/logical-backup', 'Logical backups made by the app', false, [
      ...administration(),
      allowRoles(this, 'BackupTaskEncrypts', [BACKUP_ROLE_NAME], ['kms:GenerateDataKey', 'kms:Encrypt'], {
        StringEquals: { 'kms:EncryptionContext:purpose': LOGICAL_BACKUP_PURPOSE },
      }),
      allowRoles(this, 'DrillAndBreakGlassDecrypt', [DRILL_ROLE_NAME, BREAK_GLASS_ROLE_NAME], ['kms:Decrypt'], {
        StringEquals: { 'kms:EncryptionContext:purpose': LOGICAL_BACKUP_PURPOSE },
      }),
      // A restore refuses a disabled or deleted key before it starts, so both tasks look at it.
      allowRoles(this, 'TasksDescribe', [BACKUP_ROLE_NAME, DRILL_ROLE_NAME], ['kms:DescribeKey']),
      denyRoles(this, 'DenyAppTaskRole', [TASK_ROLE_NAME]),
    ]);

    // The app's task role can never use the database key, whatever an identity policy might say later.
    this.databaseKey.addToResourcePolicy(denyRoles(this, 'DenyAppTaskRole', [TASK_ROLE_NAME]));

    // CloudWatch Logs encrypts with the key itself, so its service principal needs the key policy to say so.
    this.logsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` },
        },
      }),
    );
  }

  private key(id: string, alias: string, description: string, multiRegion = false, statements?: iam.PolicyStatement[]): kms.Key {
    return new kms.Key(this, `${id}Key`, {
      // No kms:* for the root (key-policy.ts): administration always, use only where IAM should decide.
      policy: new iam.PolicyDocument({ statements: statements ?? administration(true) }),
      alias,
      description: `Bizlumo HR: ${description}`,
      multiRegion,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      // Deleting a key destroys every backup and ciphertext made with it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
