import { Stack, CfnOutput, Duration, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import { OperatorRoles } from './operators.js';
import { replicateToDr } from './replication.js';
import { BACKUP_ROLE_NAME, BREAK_GLASS_ROLE_NAME, roleArn } from './roles.js';

export interface StorageStackProps extends StackProps {
  storageKey: kms.IKey;
  /** Every customer-managed key (for the key-admin role) and those break-glass may decrypt with. */
  allKeys: kms.IKey[];
  breakGlassKeys: kms.IKey[];
  /** The app secret is replicated here for a region-level recovery (the pepper cannot be regenerated). */
  drRegion: string;
}

/** Load balancer access logs land under this prefix of the access-log bucket. */
export const ALB_LOG_PREFIX = 'alb';

/** What every bucket of ours has: no public access, owner-enforced objects, TLS 1.2+ only, versioning. */
export const LOCKED_DOWN_BUCKET = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  versioned: true,
} satisfies Partial<s3.BucketProps>;

/** Non-current object versions (overwritten or deleted files) are kept this long, then expire. */
export const NONCURRENT_VERSION_DAYS = 90;

/** Where the app's logical backups live (src/platform/backup/metadata.ts, platform namespace of the S3 store). */
export const LOGICAL_BACKUP_PREFIX = 'platform/backups/';
/**
 * The backup command locks each object (GOVERNANCE) for 30 days and prunes older backups itself; the
 * lifecycle rule is the backstop that expires what a failed prune left behind.
 */
export const LOGICAL_BACKUP_EXPIRY_DAYS = 35;
/** Restore drill reports (src/platform/backup/drill.ts): written by the drill, read by the drill-age check. */
export const DRILL_REPORT_PREFIX = 'platform/drills/';

/** The app bucket's lifecycle, the same on its copy in ap-south-2. */
export const APP_BUCKET_LIFECYCLE: s3.LifecycleRule[] = [
  {
    id: 'ExpireNoncurrentVersions',
    noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
    abortIncompleteMultipartUploadAfter: Duration.days(7),
    expiredObjectDeleteMarker: true,
  },
  { id: 'ExpireLogicalBackups', prefix: LOGICAL_BACKUP_PREFIX, expiration: Duration.days(LOGICAL_BACKUP_EXPIRY_DAYS) },
];

/**
 * Values the app reads from the `bizlumo-hr/app` secret. PASSWORD_PEPPER is generated at creation and
 * must never change (it is mixed into every password hash); the others are filled in by an operator
 * before the first deploy of the app stack (infra/README.md). SENTRY_DSN may stay empty (Sentry off).
 */
export const APP_SECRET_FIELDS = [
  'SESSION_SECRETS',
  'PASSWORD_PEPPER',
  'RAZORPAY_KEY_ID',
  'RAZORPAY_KEY_SECRET',
  'RAZORPAY_WEBHOOK_SECRET',
  'SMTP_URL',
  'SENTRY_DSN',
] as const;

/**
 * Everything the app stores or needs in place before a task can start:
 * - the app's object store (payslip PDFs, bank files, statutory returns, audit archive, exports);
 * - the bucket that receives S3 server access logs and load balancer logs;
 * - the image repository the Dockerfile's image is pushed to;
 * - the app's own secret values (the database credentials live with the database).
 */
export class StorageStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly repository: ecr.Repository;
  readonly appSecret: secretsmanager.Secret;
  readonly operators: OperatorRoles;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);

    // S3 server access logging and ALB logging can only write to an SSE-S3 bucket, not SSE-KMS.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...LOCKED_DOWN_BUCKET,
      // CERT-In asks for 180 days of logs kept in India; the DPDP Rules one year.
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const elbAccount = RegionInfo.get(this.region).elbv2Account;
    const albLogObjects = this.accessLogsBucket.arnForObjects(`${ALB_LOG_PREFIX}/AWSLogs/${this.account}/*`);
    this.accessLogsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlbAccessLogs',
        principals: [...(elbAccount ? [new iam.AccountPrincipal(elbAccount)] : []), new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [albLogObjects],
      }),
    );

    this.bucket = new s3.Bucket(this, 'Data', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.storageKey,
      // One KMS call per bucket-key period instead of per object: cheaper, and fewer throttles.
      bucketKeyEnabled: true,
      ...LOCKED_DOWN_BUCKET,
      // No default retention: only the backup command locks its objects (per object, GOVERNANCE).
      objectLockEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: APP_BUCKET_LIFECYCLE,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: 'bizlumo-hr',
      imageScanOnPush: true,
      // A tag names one build forever, so a deploy is reproducible and a rollback is exact.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      lifecycleRules: [{ description: 'Keep the last 100 images', maxImageCount: 100 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Objects are encrypted under our key or not written at all: a request asking for SSE-KMS must name
    // the storage key (S3 would otherwise pick the AWS-managed aws/s3 key); one asking for nothing gets
    // the bucket default, which is the storage key.
    const objects = this.bucket.arnForObjects('*');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherKmsKeys',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': props.storageKey.keyArn } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyKmsWithoutKeyId',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: {
          StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
        },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherEncryption',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
    );

    this.operators = new OperatorRoles(this, 'Operators', { keys: props.allKeys, breakGlassKeys: props.breakGlassKeys, bucket: this.bucket });
    this.protectLogicalBackups();
    replicateToDr(this.bucket, props.storageKey, props.drRegion);

    new CfnOutput(this, 'RepositoryUri', { value: this.repository.repositoryUri });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });

    const placeholders = Object.fromEntries(APP_SECRET_FIELDS.filter((f) => f !== 'PASSWORD_PEPPER').map((f) => [f, '']));
    this.appSecret = new secretsmanager.Secret(this, 'AppSecret', {
      secretName: 'bizlumo-hr/app',
      description: 'Bizlumo HR app secrets: fill SESSION_SECRETS, RAZORPAY_*, SMTP_URL (and SENTRY_DSN) before deploying the app',
      generateSecretString: {
        secretStringTemplate: JSON.stringify(placeholders),
        generateStringKey: 'PASSWORD_PEPPER',
        passwordLength: 64,
        excludePunctuation: true,
      },
      replicaRegions: [{ region: props.drRegion }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Only the backup task writes or deletes logical backups (break-glass too, in an emergency), whatever
   * an identity policy says; and no one but break-glass may shorten or remove a retention period.
   */
  private protectLogicalBackups(): void {
    const breakGlass = roleArn(this, BREAK_GLASS_ROLE_NAME);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheBackupTaskWritesBackups',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects(`${LOGICAL_BACKUP_PREFIX}*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn(this, BACKUP_ROLE_NAME), breakGlass] } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyBreakGlassBypassesRetention',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:BypassGovernanceRetention'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlass } },
      }),
    );
  }
}
