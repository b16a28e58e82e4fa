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
import { DATABASE_NAME, DATABASE_PORT } from './database.js';
import { FIELD_KEY_CONTEXT, FIELD_KEY_PURPOSE, INDEX_KEY_PURPOSE, TASK_ROLE_NAME } from './keys.js';
import { SUBNETS } from './network.js';
import { ALB_LOG_PREFIX, APP_SECRET_FIELDS } from './storage.js';

export interface AppStackProps extends StackProps {
  domainName: string;
  zone: route53.IHostedZone;
  vpc: ec2.IVpc;
  database: rds.IDatabaseInstance;
  databaseSecurityGroup: ec2.ISecurityGroup;
  databaseSecret: secretsmanager.ISecret;
  bucket: s3.IBucket;
  accessLogsBucket: s3.IBucket;
  repository: ecr.IRepository;
  appSecret: secretsmanager.ISecret;
  storageKey: kms.IKey;
  fieldKey: kms.IKey;
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

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);

    const imageTag = new CfnParameter(this, 'ImageTag', {
      type: 'String',
      description: 'Tag of the bizlumo-hr image in ECR to run (the git commit it was built from)',
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
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      executeCommandConfiguration: {
        kmsKey: execKey,
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

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      taskRole: this.taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });

    const dbSecret = (field: string) => ecs.Secret.fromSecretsManager(props.databaseSecret, field);
    const appSecret = (field: string) => ecs.Secret.fromSecretsManager(props.appSecret, field);
    const container = taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, imageTag.valueAsString),
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
      // The app composes DATABASE_URL from DB_* (src/config.ts): a secret cannot be spliced into a URL.
      environment: {
        NODE_ENV: 'production',
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
      },
      secrets: {
        DB_USER: dbSecret('username'),
        DB_PASSWORD: dbSecret('password'),
        ...Object.fromEntries(APP_SECRET_FIELDS.map((field) => [field, appSecret(field)])),
      },
    });
    // The root filesystem is read-only; only these scratch volumes are writable. The last three are
    // where the ECS Exec (SSM) agent writes; without them it crashes on a read-only root
    // (github.com/aws/containers-roadmap/issues/1359).
    const scratch = { tmp: '/tmp', managedAgents: '/managed-agents', ssmState: '/var/lib/amazon/ssm', ssmLogs: '/var/log/amazon/ssm' };
    for (const [name, containerPath] of Object.entries(scratch)) {
      taskDefinition.addVolume({ name });
      container.addMountPoints({ sourceVolume: name, containerPath, readOnly: false });
    }
    // Fargate creates task volumes as root:root 0755, so the app (user `node`) could not write /tmp.
    // A one-shot container from the same image opens it up (sticky, like a normal /tmp) and exits
    // before the app starts; it has no port and no network listener.
    const scratchPermissions = taskDefinition.addContainer('ScratchPermissions', {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, imageTag.valueAsString),
      essential: false,
      user: '0',
      readonlyRootFilesystem: true,
      command: ['chmod', '1777', '/tmp'],
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'init' }),
    });
    scratchPermissions.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    container.addContainerDependencies({ container: scratchPermissions, condition: ecs.ContainerDependencyCondition.SUCCESS });

    const appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: props.vpc,
      description: 'Bizlumo HR tasks: HTTP from the load balancer only',
      allowAllOutbound: true,
    });
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
    this.loadBalancer.addRedirect({
      sourcePort: 80,
      targetPort: 443,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
    });
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
    new CfnOutput(this, 'TaskDefinitionArn', { value: taskDefinition.taskDefinitionArn, description: 'one-off tasks (restore drill)' });
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
