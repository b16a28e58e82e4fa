import { Stack, CfnOutput, CfnParameter, Duration, RemovalPolicy, Size, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { accountKeyPolicy } from './key-policy.js';
import { DATABASE_NAME, DATABASE_PORT } from './database.js';
import { FIELD_KEY_CONTEXT, FIELD_KEY_PURPOSE, INDEX_KEY_PURPOSE } from './keys.js';
import { TASK_ROLE_NAME } from './roles.js';
import { SUBNETS } from './network.js';
import { allowAppEgress, refuseApiOverHttp } from './traffic.js';
import { Operations } from './operations.js';
import { ALB_LOG_PREFIX, APP_SECRET_FIELDS, DRILL_REPORT_PREFIX, LOGICAL_BACKUP_PREFIX } from './storage.js';
import { addWritableTmp } from './tasks.js';

export interface AppStackProps extends StackProps {
  domainName: string;
  zone: route53.IHostedZone;
  vpc: ec2.IVpc;
  database: rds.IDatabaseInstance;
  databaseSecurityGroup: ec2.ISecurityGroup;
  /** The master user: only the one-off tasks (migrate, backup, drill) get it. */
  databaseSecret: secretsmanager.ISecret;
  /** The runtime user the web tasks connect as. */
  runtimeDatabaseSecret: secretsmanager.ISecret;
  bucket: s3.IBucket;
  accessLogsBucket: s3.IBucket;
  repository: ecr.IRepository;
  appSecret: secretsmanager.ISecret;
  storageKey: kms.IKey;
  fieldKey: kms.IKey;
  logicalBackupKey: kms.IKey;
  logsKey: kms.IKey;
  logRetention: logs.RetentionDays;
}

export const APP_PORT = 3000;
export const MIN_TASKS = 2;
export const MAX_TASKS = 12;

export function appHost(domainName: string): string {
  return `app.${domainName}`;
}

/**
 * The app: Fargate tasks in private subnets behind an internet-facing Application Load Balancer.
 * HTTPS only at the edge (port 80 answers with a redirect), at least two tasks spread over zones,
 * scaling on CPU and on requests per task, a read-only root filesystem, and no SSH anywhere: the
 * only shell is ECS Exec, which needs MFA and is logged.
 */
export class AppStack extends Stack {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly service: ecs.FargateService;
  readonly logGroup: logs.LogGroup;
  readonly taskRole: iam.Role;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly tasks: Operations;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);

    // Two tags so a release can migrate with the new image before the service runs it (infra/README.md).
    const imageTag = new CfnParameter(this, 'ImageTag', {
      type: 'String',
      description: 'Tag of the bizlumo-hr image for the one-off tasks: migrate, backup, drill (the git commit it was built from)',
      allowedPattern: '^[A-Za-z0-9_.-]{1,128}$',
    });
    const serviceImageTag = new CfnParameter(this, 'ServiceImageTag', {
      type: 'String',
      description: 'Tag of the bizlumo-hr image the web service runs; set it to ImageTag once the migrate task has succeeded',
      allowedPattern: '^[A-Za-z0-9_.-]{1,128}$',
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const execLogGroup = new logs.LogGroup(this, 'ExecLogs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const execKey = new kms.Key(this, 'ExecSessionKey', {
      alias: 'alias/bizlumo-hr/ecs-exec',
      description: 'Bizlumo HR: encrypts ECS Exec session data',
      policy: accountKeyPolicy(),
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      executeCommandConfiguration: {
        // By reference: given the key itself, the service would add `kms:*` for the root to its policy;
        // the task role's Decrypt/GenerateDataKey come from its identity policy (the key lets IAM decide).
        kmsKey: kms.Key.fromKeyArn(this, 'ExecSessionKeyRef', execKey.keyArn),
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: execLogGroup, cloudWatchEncryptionEnabled: true },
      },
    });

    this.taskRole = new iam.Role(this, 'TaskRole', {
      roleName: TASK_ROLE_NAME,
      description: 'Bizlumo HR app: its bucket, its field key (with a tenant context), nothing else',
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    this.grantLeastPrivilege(props);

    const taskDefinition = (this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      taskRole: this.taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    }));

    const dbSecret = (field: string) => ecs.Secret.fromSecretsManager(props.runtimeDatabaseSecret, field);
    const appSecrets = Object.fromEntries(APP_SECRET_FIELDS.map((field) => [field, ecs.Secret.fromSecretsManager(props.appSecret, field)]));
    const image = ecs.ContainerImage.fromEcrRepository(props.repository, serviceImageTag.valueAsString);
    // The app composes DATABASE_URL from DB_* (src/config.ts): a secret cannot be spliced into a URL.
    const environment = {
      NODE_ENV: 'production',
      // src/config.ts refuses to start in production without it (https only): the app's public address.
      PUBLIC_ORIGIN: `https://${appHost(props.domainName)}`,
      HOST: '0.0.0.0',
      PORT: String(APP_PORT),
      AWS_REGION: this.region,
      // Only the load balancer (inside the VPC) may set X-Forwarded-For/-Proto.
      TRUST_PROXY: props.vpc.vpcCidrBlock,
      DB_HOST: props.database.dbInstanceEndpointAddress,
      DB_PORT: String(DATABASE_PORT),
      DB_NAME: DATABASE_NAME,
      DATABASE_TLS: 'rds',
      KEY_PROVIDER: 'kms',
      KMS_KEY_ID: props.fieldKey.keyArn,
      STORAGE: 's3',
      S3_BUCKET: props.bucket.bucketName,
      // Writes must name the bucket's key: `aws:kms` without a key id would silently use aws/s3.
      S3_KMS_KEY_ID: props.storageKey.keyArn,
      MAIL_TRANSPORT: 'smtp',
      DATA_DIR: '/tmp/bizlumo',
    };
    const container = taskDefinition.addContainer('App', {
      image,
      readonlyRootFilesystem: true,
      user: 'node',
      portMappings: [{ containerPort: APP_PORT, name: 'http' }],
      stopTimeout: Duration.seconds(30),
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'app',
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
      environment,
      secrets: {
        DB_USER: dbSecret('username'),
        DB_PASSWORD: dbSecret('password'),
        ...appSecrets,
      },
    });
    // The root filesystem is read-only; only /tmp and these scratch volumes are writable: where the ECS
    // Exec (SSM) agent writes; without them it crashes on a read-only root
    // (github.com/aws/containers-roadmap/issues/1359).
    const scratch = { managedAgents: '/managed-agents', ssmState: '/var/lib/amazon/ssm', ssmLogs: '/var/log/amazon/ssm' };
    for (const [name, containerPath] of Object.entries(scratch)) {
      taskDefinition.addVolume({ name });
      container.addMountPoints({ sourceVolume: name, containerPath, readOnly: false });
    }
    addWritableTmp(taskDefinition, container, image, this.logGroup);

    const appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: props.vpc,
      description: 'Bizlumo HR tasks: HTTP from the load balancer only',
      allowAllOutbound: false,
    });
    allowAppEgress(appSecurityGroup, props.databaseSecurityGroup);
    // The rule lives in this stack (the database stack must not depend on the app stack).
    new ec2.CfnSecurityGroupIngress(this, 'DatabaseFromApp', {
      groupId: props.databaseSecurityGroup.securityGroupId,
      sourceSecurityGroupId: appSecurityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: DATABASE_PORT,
      toPort: DATABASE_PORT,
      description: 'MySQL from the app tasks',
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: MIN_TASKS,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: { subnetGroupName: SUBNETS.app },
      securityGroups: [appSecurityGroup],
      assignPublicIp: false,
      enableExecuteCommand: true,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    this.tasks = new Operations(this, 'Operations', {
      cluster,
      securityGroup: appSecurityGroup,
      image: ecs.ContainerImage.fromEcrRepository(props.repository, imageTag.valueAsString),
      logGroup: this.logGroup,
      environment,
      appSecrets,
      masterSecret: props.databaseSecret,
      runtimeSecret: props.runtimeDatabaseSecret,
      bucket: props.bucket,
      storageKey: props.storageKey,
      fieldKey: props.fieldKey,
      logicalBackupKey: props.logicalBackupKey,
    });

    this.loadBalancer = this.loadBalancerFor(props);
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: appHost(props.domainName),
      validation: acm.CertificateValidation.fromDns(props.zone),
    });
    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      // TLS 1.3 and 1.2 only, forward-secret AEAD ciphers only, post-quantum key exchange offered.
      sslPolicy: elbv2.SslPolicy.TLS13_12_RES_PQ,
      open: true,
    });
    const http = this.loadBalancer.addRedirect({
      sourcePort: 80,
      targetPort: 443,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
    });
    refuseApiOverHttp(http);
    this.targetGroup = https.addTargets('App', {
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/readyz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: MIN_TASKS, maxCapacity: MAX_TASKS });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 500, targetGroup: this.targetGroup });

    new route53.ARecord(this, 'AppRecord', {
      zone: props.zone,
      recordName: appHost(props.domainName),
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
    });

    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName, description: 'for ecs execute-command and run-task' });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
    new CfnOutput(this, 'TaskDefinitionArn', { value: taskDefinition.taskDefinitionArn, description: 'the web service' });
    new CfnOutput(this, 'MigrateTaskDefinitionArn', {
      value: this.tasks.migrate.taskDefinition.taskDefinitionArn,
      description: 'run before each service update',
    });
    new CfnOutput(this, 'DrillTaskDefinitionArn', { value: this.tasks.drill.taskDefinition.taskDefinitionArn, description: 'restore drill by hand (RDS)' });
    new CfnOutput(this, 'AppSubnetIds', { value: props.vpc.selectSubnets({ subnetGroupName: SUBNETS.app }).subnetIds.join(',') });
    new CfnOutput(this, 'AppSecurityGroupId', { value: appSecurityGroup.securityGroupId });

    // Attach to the operators' group: a shell in a task only with MFA, and every session is logged.
    new iam.ManagedPolicy(this, 'ExecOperators', {
      managedPolicyName: 'bizlumo-hr-ecs-exec',
      description: 'ECS Exec into Bizlumo HR tasks, MFA required',
      statements: [
        new iam.PolicyStatement({
          actions: ['ecs:ExecuteCommand', 'ecs:DescribeTasks'],
          resources: [cluster.clusterArn, `arn:${this.partition}:ecs:${this.region}:${this.account}:task/${cluster.clusterName}/*`],
          conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        }),
      ],
    });
  }

  private loadBalancerFor(props: AppStackProps): elbv2.ApplicationLoadBalancer {
    const securityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: props.vpc,
      description: 'Bizlumo HR load balancer: HTTPS (and HTTP for the redirect) from the internet',
      allowAllOutbound: false,
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: SUBNETS.public },
      securityGroup,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
      deletionProtection: true,
      idleTimeout: Duration.seconds(60),
    });
    // Written by hand: logAccessLogs() would edit the bucket policy in the storage stack from here.
    alb.setAttribute('access_logs.s3.enabled', 'true');
    alb.setAttribute('access_logs.s3.bucket', props.accessLogsBucket.bucketName);
    alb.setAttribute('access_logs.s3.prefix', ALB_LOG_PREFIX);
    return alb;
  }

  /** Its bucket, its keys, its secrets (read by the execution role at start), nothing else. */
  private grantLeastPrivilege(props: AppStackProps): void {
    const role = this.taskRole;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AppBucketObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [props.bucket.arnForObjects('*')],
      }),
    );
    // Logical backups are the backup task's alone (the bucket policy says so too), and drill reports the
    // drill's: a forged passing report would silence the drill-age alarm.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'NoWritesToBackupsOrDrills',
        effect: iam.Effect.DENY,
        actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [props.bucket.arnForObjects(`${LOGICAL_BACKUP_PREFIX}*`), props.bucket.arnForObjects(`${DRILL_REPORT_PREFIX}*`)],
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'AppBucketList', actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }));
    // The storage key only through S3 (SSE-KMS), never directly.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StorageKeyViaS3',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.storageKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
      }),
    );
    // Field-level encryption: make and unwrap tenant data keys and their blind-index keys, only with a tenant in the context.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FieldKeyWithTenantContext',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.fieldKey.keyArn],
        conditions: {
          Null: { [`kms:EncryptionContext:${FIELD_KEY_CONTEXT}`]: 'false' },
          StringEquals: { 'kms:EncryptionContext:purpose': [FIELD_KEY_PURPOSE, INDEX_KEY_PURPOSE] },
        },
      }),
    );
  }
}
