import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RUNTIME_DB_USERS } from './database.js';
import { FIELD_KEY_CONTEXT, FIELD_KEY_PURPOSE, LOGICAL_BACKUP_PURPOSE } from './keys.js';
import { BACKUP_ROLE_NAME, DRILL_ROLE_NAME, MIGRATE_ROLE_NAME } from './roles.js';
import { DRILL_REPORT_PREFIX, LOGICAL_BACKUP_PREFIX } from './storage.js';
import { OneOffTask } from './tasks.js';

export interface OperationsProps {
  cluster: ecs.ICluster;
  securityGroup: ec2.ISecurityGroup;
  image: ecs.ContainerImage;
  logGroup: logs.ILogGroup;
  /** The web tasks' environment and app secrets: the commands load the same configuration. */
  environment: Record<string, string>;
  appSecrets: Record<string, ecs.Secret>;
  /** The master user: DDL for migrations, CREATE/DROP DATABASE for the drill, a consistent dump for backups. */
  masterSecret: secretsmanager.ISecret;
  runtimeSecret: secretsmanager.ISecret;
  bucket: s3.IBucket;
  storageKey: kms.IKey;
  fieldKey: kms.IKey;
  logicalBackupKey: kms.IKey;
}

/**
 * The app's operational commands as one-off ECS tasks, each with its own role:
 * - migrate (`node dist/cli/migrate.js`): run by the deploy before the service update (infra/README.md);
 * - backup (`node dist/cli/backup.js`): daily, encrypted logical dump under platform/backups/;
 * - drill (`node dist/cli/drill-restore.js`): monthly, restores the newest backup into a new database,
 *   verifies it, drops it, stores its report. Its success is what the drill-age alarm watches.
 */
export class Operations extends Construct {
  readonly migrate: OneOffTask;
  readonly backup: OneOffTask;
  readonly drill: OneOffTask;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const master = (field: string) => ecs.Secret.fromSecretsManager(props.masterSecret, field);
    const asMaster = { ...props.appSecrets, DB_USER: master('username'), DB_PASSWORD: master('password') };
    const withBackupKey = { ...props.environment, BACKUP_KMS_KEY_ID: props.logicalBackupKey.keyArn };

    // Each command is `node dist/cli/<script>.js` in a container named like the task.
    const task = (
      id: string,
      script: string,
      roleName: string,
      description: string,
      environment: Record<string, string>,
      secrets: Record<string, ecs.Secret>,
    ) =>
      new OneOffTask(this, id, {
        image: props.image,
        logGroup: props.logGroup,
        roleName,
        description,
        containerName: id,
        command: ['node', `dist/cli/${script}.js`],
        environment,
        secrets,
      });

    this.migrate = task(
      'Migrate',
      'migrate',
      MIGRATE_ROLE_NAME,
      'Bizlumo HR migrate task: the database only (master credentials); no AWS access',
      { ...props.environment, RUNTIME_DB_USER: RUNTIME_DB_USERS.join(',') },
      {
        ...asMaster,
        // Only to create the runtime user on the first deploy; an existing user's password is rotation's.
        RUNTIME_DB_CURRENT_USER: ecs.Secret.fromSecretsManager(props.runtimeSecret, 'username'),
        RUNTIME_DB_PASSWORD: ecs.Secret.fromSecretsManager(props.runtimeSecret, 'password'),
      },
    );

    this.backup = task(
      'Backup',
      'backup',
      BACKUP_ROLE_NAME,
      'Bizlumo HR logical backup: writes platform/backups/, encrypts with the logical-backup key',
      withBackupKey,
      asMaster,
    );
    const backups = props.bucket.arnForObjects(`${LOGICAL_BACKUP_PREFIX}*`);
    this.allow(this.backup, ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], [backups]);
    this.allowListing(this.backup, props.bucket, [LOGICAL_BACKUP_PREFIX]);
    this.allow(this.backup, ['kms:GenerateDataKey', 'kms:Encrypt'], [props.logicalBackupKey.keyArn], {
      StringEquals: { 'kms:EncryptionContext:purpose': LOGICAL_BACKUP_PURPOSE },
    });
    this.allow(this.backup, ['kms:DescribeKey'], [props.logicalBackupKey.keyArn]);
    this.allowStorageKeyViaS3(this.backup, props.storageKey);
    this.backup.schedule('Daily', props.cluster, props.securityGroup, events.Schedule.cron({ minute: '0', hour: '23' }), 'Logical backup, 04:30 IST daily');

    this.drill = task(
      'Drill',
      'drill-restore',
      DRILL_ROLE_NAME,
      'Bizlumo HR restore drill: reads and decrypts backups, checks sensitive fields, writes its report',
      withBackupKey,
      asMaster,
    );
    this.allow(this.drill, ['s3:GetObject'], [backups]);
    this.allow(this.drill, ['s3:PutObject', 's3:GetObject'], [props.bucket.arnForObjects(`${DRILL_REPORT_PREFIX}*`)]);
    this.allowListing(this.drill, props.bucket, [LOGICAL_BACKUP_PREFIX, DRILL_REPORT_PREFIX]);
    this.allow(this.drill, ['kms:Decrypt'], [props.logicalBackupKey.keyArn], { StringEquals: { 'kms:EncryptionContext:purpose': LOGICAL_BACKUP_PURPOSE } });
    this.allow(this.drill, ['kms:DescribeKey'], [props.logicalBackupKey.keyArn]);
    // The drill decrypts a sample of every encrypted column per tenant: unwrapping needs the field key.
    this.allow(this.drill, ['kms:Decrypt'], [props.fieldKey.keyArn], {
      Null: { [`kms:EncryptionContext:${FIELD_KEY_CONTEXT}`]: 'false' },
      StringEquals: { 'kms:EncryptionContext:purpose': FIELD_KEY_PURPOSE },
    });
    this.allowStorageKeyViaS3(this.drill, props.storageKey);
    this.drill.schedule(
      'Monthly',
      props.cluster,
      props.securityGroup,
      events.Schedule.cron({ minute: '30', hour: '0', day: '1' }),
      'Restore drill, 06:00 IST on the 1st of every month',
    );
  }

  private allow(task: OneOffTask, actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    task.role.addToPolicy(new iam.PolicyStatement({ actions, resources, conditions }));
  }

  private allowListing(task: OneOffTask, bucket: s3.IBucket, prefixes: string[]): void {
    this.allow(task, ['s3:ListBucket'], [bucket.bucketArn], { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } });
  }

  private allowStorageKeyViaS3(task: OneOffTask, storageKey: kms.IKey): void {
    this.allow(task, ['kms:GenerateDataKey', 'kms:Decrypt'], [storageKey.keyArn], {
      StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
    });
  }
}
