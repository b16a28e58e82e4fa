import { Stack, CfnOutput, Duration, RemovalPolicy, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { drVaultArn } from './dr.js';
import { SUBNETS } from './network.js';

export interface DatabaseStackProps extends StackProps {
  vpc: ec2.IVpc;
  databaseKey: kms.IKey;
  backupKey: kms.IKey;
  logsKey: kms.IKey;
  logRetention: logs.RetentionDays;
  /** The region of the vault each daily recovery point is copied to (ap-south-2). */
  drRegion: string;
}

export const DATABASE_NAME = 'bizlumo';
export const DATABASE_PORT = 3306;
/**
 * The web tasks' user: data access only (no DDL, no GRANT), granted by the migrate task. Rotation
 * alternates between this user and `<user>_clone` (AWS's multi-user strategy), so both get the grants.
 */
export const RUNTIME_DB_USER = 'bizlumo_app';
export const RUNTIME_DB_USERS = [RUNTIME_DB_USER, `${RUNTIME_DB_USER}_clone`] as const;
const ROTATION_DAYS = 30;
const INSTANCE_IDENTIFIER = 'bizlumo-hr';

/** Automated backups: point-in-time recovery to any second of the last 7 days. */
export const AUTOMATED_BACKUP_DAYS = 7;
/** AWS Backup: one snapshot a day kept 30 days, in this region and copied to ap-south-2. */
export const BACKUP_PLAN_RETENTION_DAYS = 30;

/**
 * RDS MySQL 8.4 (the long-term-support line), Multi-AZ, in subnets with no route to the internet.
 * Two independent backup mechanisms: RDS automated backups (point-in-time, 7 days) and an AWS Backup
 * plan (daily, 30 days, encrypted vault, copied to Hyderabad for a region-level recovery).
 */
export class DatabaseStack extends Stack {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;
  /** The master user: migrations, backups and drills only (one-off tasks), never the web tasks. */
  readonly secret: secretsmanager.ISecret;
  /** The runtime user the web tasks connect as. */
  readonly runtimeSecret: secretsmanager.ISecret;
  readonly backupVault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);

    const engine = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_10 });

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Bizlumo HR: TLS required, utf8mb4, UTC',
      parameters: {
        // Refuse any connection that is not TLS; the app verifies the server against the RDS CA.
        require_secure_transport: 'ON',
        tls_version: 'TLSv1.2,TLSv1.3',
        character_set_server: 'utf8mb4',
        collation_server: 'utf8mb4_0900_ai_ci',
        time_zone: 'UTC',
        slow_query_log: '1',
        long_query_time: '1',
        log_output: 'FILE',
      },
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Bizlumo HR database: MySQL from the app tasks and the rotation function only',
      allowAllOutbound: false,
    });

    // Created here (not by RDS) so they have a retention period and are encrypted with our key.
    for (const log of ['error', 'slowquery']) {
      new logs.LogGroup(this, `${log}Log`, {
        logGroupName: `/aws/rds/instance/${INSTANCE_IDENTIFIER}/${log}`,
        retention: props.logRetention,
        encryptionKey: props.logsKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    this.instance = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier: INSTANCE_IDENTIFIER,
      engine,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: SUBNETS.data },
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      multiAz: true,
      port: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret('bizlumo_admin', {
        secretName: 'bizlumo-hr/database',
        // Rotation updates the replica too; a region-level recovery resets the restored instance to it.
        replicaRegions: [{ region: props.drRegion }],
      }),
      parameterGroup,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 100,
      maxAllocatedStorage: 1000,
      storageEncrypted: true,
      storageEncryptionKey: props.databaseKey,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      backupRetention: Duration.days(AUTOMATED_BACKUP_DAYS),
      // 01:00-01:30 IST, before AWS Backup's 03:00 IST snapshot.
      preferredBackupWindow: '19:30-20:00',
      preferredMaintenanceWindow: 'sun:21:00-sun:21:30',
      copyTagsToSnapshot: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      cloudwatchLogsExports: ['error', 'slowquery'],
      monitoringInterval: Duration.seconds(60),
    });
    this.instance.node.addDependency(...this.node.children.filter((c) => c instanceof logs.LogGroup));
    this.secret = this.instance.secret!;

    // Rotation runs in the isolated subnets and reaches Secrets Manager through the VPC endpoint.
    this.instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(ROTATION_DAYS),
      vpcSubnets: { subnetGroupName: SUBNETS.data },
    });

    // Alternating users: each rotation sets a new password on the user that is *not* current, so the
    // credentials a running task read at start keep working until the rotation after next (60 days);
    // every deploy and scale-out reads the new ones. The first rotation waits a full period: the user is
    // created by the migrate task, which runs after this stack exists.
    const runtimeSecret = new rds.DatabaseSecret(this, 'RuntimeSecret', {
      username: RUNTIME_DB_USER,
      secretName: 'bizlumo-hr/database-runtime',
      masterSecret: this.secret,
      replicaRegions: [{ region: props.drRegion }],
    });
    this.runtimeSecret = runtimeSecret.attach(this.instance);
    this.instance.addRotationMultiUser('RuntimeRotation', {
      secret: this.runtimeSecret,
      automaticallyAfter: Duration.days(ROTATION_DAYS),
      vpcSubnets: { subnetGroupName: SUBNETS.data },
      rotateImmediatelyOnUpdate: false,
    });

    this.backupVault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: 'bizlumo-hr',
      encryptionKey: props.backupKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // Governance-mode lock: a recovery point cannot be deleted before it is a week old.
      lockConfiguration: { minRetention: Duration.days(7) },
    });

    const plan = new backup.BackupPlan(this, 'Plan', { backupPlanName: 'bizlumo-hr-daily', backupVault: this.backupVault });
    plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
        scheduleExpressionTimezone: TimeZone.ASIA_KOLKATA,
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(4),
        deleteAfter: Duration.days(BACKUP_PLAN_RETENTION_DAYS),
        copyActions: [
          {
            destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'DrVault', drVaultArn(this.partition, props.drRegion, this.account)),
            deleteAfter: Duration.days(BACKUP_PLAN_RETENTION_DAYS),
          },
        ],
      }),
    );
    // What a restore (drill or recovery) needs to put a new instance beside the old one.
    new CfnOutput(this, 'InstanceIdentifier', { value: INSTANCE_IDENTIFIER });
    new CfnOutput(this, 'SubnetGroupName', { value: (this.instance.node.findChild('SubnetGroup') as rds.SubnetGroup).subnetGroupName });
    new CfnOutput(this, 'ParameterGroupName', { value: parameterGroup.bindToInstance({}).parameterGroupName });
    new CfnOutput(this, 'SecurityGroupId', { value: this.securityGroup.securityGroupId });

    plan.addSelection('Database', {
      resources: [backup.BackupResource.fromRdsDatabaseInstance(this.instance)],
      allowRestores: true,
    });
  }
}
