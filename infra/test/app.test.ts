import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_SECRET_FIELDS } from '../lib/storage.js';
import { actionsOf, ingressRules, logicalId, pointsTo, resourcesOf, roleStatements, synthesizeAll, type Json, type Synthesized } from './support.js';

let all: Synthesized;
let storage: Template;
let app: Template;

beforeAll(() => {
  all = synthesizeAll();
  storage = all.templates['BizlumoHr-Storage']!;
  app = all.templates['BizlumoHr-App']!;
});

const bucketProps = (template: Template, id: string) => template.toJSON().Resources[id].Properties as Json;
const containers = () => (app.toJSON().Resources[logicalId(all.infra.appStack.taskDefinition)].Properties as Json).ContainerDefinitions as Json[];
const appContainer = () => containers().find((c) => c.Name === 'App')!;

describe('storage', () => {
  it('encrypts the app bucket with the storage key (SSE-KMS, bucket key on)', () => {
    const bucket = bucketProps(storage, logicalId(all.infra.storage.bucket));
    const [rule] = (bucket.BucketEncryption as Json).ServerSideEncryptionConfiguration as Json[];
    expect(rule!.BucketKeyEnabled).toBe(true);
    const byDefault = rule!.ServerSideEncryptionByDefault as Json;
    expect(byDefault.SSEAlgorithm).toBe('aws:kms');
    expect(pointsTo(byDefault.KMSMasterKeyID, all.infra.keys.storageKey, 'BizlumoHr-Storage', all)).toBe(true);
  });

  it('refuses writes encrypted under any other key (or SSE-KMS without naming the key)', () => {
    const policies = resourcesOf(storage, 'AWS::S3::BucketPolicy').filter(([, p]) => (p.Bucket as Json).Ref === logicalId(all.infra.storage.bucket));
    const statements = policies.flatMap(([, p]) => (p.PolicyDocument as Json).Statement as Json[]);
    const denyPuts = statements.filter((s) => s.Effect === 'Deny' && s.Action === 's3:PutObject');
    const otherKey = denyPuts.find(
      (s) =>
        'StringNotEqualsIfExists' in (s.Condition as Json) &&
        's3:x-amz-server-side-encryption-aws-kms-key-id' in ((s.Condition as Json).StringNotEqualsIfExists as Json),
    );
    expect(
      pointsTo(
        ((otherKey!.Condition as Json).StringNotEqualsIfExists as Json)['s3:x-amz-server-side-encryption-aws-kms-key-id'],
        all.infra.keys.storageKey,
        'BizlumoHr-Storage',
        all,
      ),
    ).toBe(true);
    expect(denyPuts).toContainEqual(
      expect.objectContaining({
        Condition: {
          StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
        },
      }),
    );
    expect(denyPuts).toContainEqual(expect.objectContaining({ Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } } }));
  });

  it('versions objects and expires non-current versions after 90 days', () => {
    const bucket = bucketProps(storage, logicalId(all.infra.storage.bucket));
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = (bucket.LifecycleConfiguration as Json).Rules as Json[];
    expect(rules).toContainEqual(expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } }));
  });

  it('blocks all public access, logs access, and refuses requests without TLS', () => {
    const id = logicalId(all.infra.storage.bucket);
    const bucket = bucketProps(storage, id);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(all.infra.storage.accessLogsBucket) },
      LogFilePrefix: 'data/',
    });
    storage.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('generates the password pepper, leaves the rest to an operator, and replicates the app secret to ap-south-2', () => {
    storage.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'bizlumo-hr/app',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'PASSWORD_PEPPER', PasswordLength: 64 }),
      ReplicaRegions: [{ Region: 'ap-south-2' }],
    });
  });

  it('keeps the image repository immutable and scanned', () => {
    storage.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
  });
});

describe('app service', () => {
  it('runs at least two Fargate tasks in the private app subnets with ECS Exec', () => {
    const [[, service]] = resourcesOf(app, 'AWS::ECS::Service') as [[string, Json]];
    expect(service.LaunchType).toBe('FARGATE');
    expect(service.DesiredCount).toBeGreaterThanOrEqual(2);
    expect(service.EnableExecuteCommand).toBe(true);
    expect(service.AvailabilityZoneRebalancing).toBe('ENABLED');
    expect((service.DeploymentConfiguration as Json).MinimumHealthyPercent).toBe(100);
    const vpcConfig = (service.NetworkConfiguration as Json).AwsvpcConfiguration as Json;
    expect(vpcConfig.AssignPublicIp).toBe('DISABLED');
    const appSubnets = all.infra.network.vpc.privateSubnets;
    for (const subnet of vpcConfig.Subnets as unknown[]) {
      expect(appSubnets.some((s) => pointsTo(subnet, s, 'BizlumoHr-App', all))).toBe(true);
    }
  });

  it('scales between 2 and more tasks on CPU and on requests per target', () => {
    app.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: Match.anyValue() });
    app.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
    app.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
      }),
    });
  });

  it('health-checks /readyz', () => {
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/readyz',
      Matcher: { HttpCode: '200' },
      Port: 3000,
      TargetType: 'ip',
    });
  });

  it('serves HTTPS with an ACM certificate and a TLS 1.3/1.2-only policy', () => {
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: Match.stringLikeRegexp('^ELBSecurityPolicy-TLS13-1-2-(Res-)?(PQ-)?20'),
      Certificates: [{ CertificateArn: { Ref: logicalId(all.infra.appStack.node.findChild('Certificate')) } }],
    });
    app.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'app.bizlumo.in', ValidationMethod: 'DNS' });
  });

  it('answers port 80 only with a permanent redirect to 443', () => {
    app.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
  });

  it('runs the container with a read-only root filesystem, as a non-root user, logging with retention', () => {
    const container = appContainer();
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.User).toBe('node');
    const logging = container.LogConfiguration as Json;
    expect(logging.LogDriver).toBe('awslogs');
    expect((logging.Options as Json)['awslogs-group']).toEqual({ Ref: logicalId(all.infra.appStack.logGroup) });
    app.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    for (const [, group] of resourcesOf(app, 'AWS::Logs::LogGroup')) expect(group.RetentionInDays).toBe(365);
  });

  it('gives every container a read-only root, and the app a writable /tmp prepared before it starts', () => {
    for (const c of containers()) expect(c.ReadonlyRootFilesystem, String(c.Name)).toBe(true);
    const init = containers().find((c) => c.Name === 'ScratchPermissions')!;
    expect(init).toMatchObject({
      Essential: false,
      Command: ['chmod', '1777', '/tmp'],
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
    });
    expect(init.PortMappings).toBeUndefined();
    const app = appContainer();
    expect(app.DependsOn).toEqual([{ ContainerName: 'ScratchPermissions', Condition: 'SUCCESS' }]);
    expect(app.MountPoints).toContainEqual({ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false });
  });

  it('passes configuration as env and every secret through Secrets Manager, none as plain env', () => {
    const container = appContainer();
    const env = Object.fromEntries((container.Environment as Json[]).map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      AWS_REGION: 'ap-south-1',
      KEY_PROVIDER: 'kms',
      STORAGE: 's3',
      DATABASE_TLS: 'rds',
      DB_PORT: '3306',
      DB_NAME: 'bizlumo',
      // src/config.ts refuses to start in production without it (https only).
      PUBLIC_ORIGIN: 'https://app.bizlumo.in',
    });
    expect(pointsTo(env.TRUST_PROXY, all.infra.network.vpc, 'BizlumoHr-App', all)).toBe(true);
    expect(pointsTo(env.KMS_KEY_ID, all.infra.keys.fieldKey, 'BizlumoHr-App', all)).toBe(true);
    expect(pointsTo(env.KMS_KEY_ID, all.infra.keys.databaseKey, 'BizlumoHr-App', all)).toBe(false);
    expect(pointsTo(env.S3_BUCKET, all.infra.storage.bucket, 'BizlumoHr-App', all)).toBe(true);
    expect(pointsTo(env.S3_KMS_KEY_ID, all.infra.keys.storageKey, 'BizlumoHr-App', all)).toBe(true);
    expect(pointsTo(env.DB_HOST, all.infra.database.instance, 'BizlumoHr-App', all)).toBe(true);
    for (const name of Object.keys(env)) expect(name).not.toMatch(/SECRET|PASSWORD|PEPPER|DSN|TOKEN/);

    const secrets = Object.fromEntries((container.Secrets as Json[]).map((s) => [s.Name, s.ValueFrom]));
    expect(Object.keys(secrets).sort()).toEqual(['DB_PASSWORD', 'DB_USER', ...APP_SECRET_FIELDS].sort());
    expect(JSON.stringify(secrets.DB_PASSWORD)).toContain(':password::');
    expect(pointsTo(secrets.DB_PASSWORD, all.infra.database.runtimeSecret, 'BizlumoHr-App', all)).toBe(true);
    expect(pointsTo(secrets.PASSWORD_PEPPER, all.infra.storage.appSecret, 'BizlumoHr-App', all)).toBe(true);
  });

  it('logs ECS Exec sessions and lets operators in only with MFA', () => {
    app.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: {
        ExecuteCommandConfiguration: Match.objectLike({
          Logging: 'OVERRIDE',
          LogConfiguration: Match.objectLike({ CloudWatchEncryptionEnabled: true }),
        }),
      },
    });
    app.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['ecs:DescribeTasks', 'ecs:ExecuteCommand'],
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          }),
        ],
      },
    });
  });
});

describe('task role (least privilege)', () => {
  let statements: ReturnType<typeof roleStatements>;
  beforeAll(() => {
    statements = roleStatements(app, logicalId(all.infra.appStack.taskRole));
  });

  it('may use the field key only for GenerateDataKey/Decrypt, only with the tenant encryption context the app sends', () => {
    const onFieldKey = statements.filter((s) => pointsTo(s.Resource, all.infra.keys.fieldKey, 'BizlumoHr-App', all));
    expect(onFieldKey).toHaveLength(1);
    expect(Array.isArray(onFieldKey[0]!.Resource)).toBe(false);
    expect(actionsOf(onFieldKey[0]!).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(onFieldKey[0]!.Condition).toEqual({
      Null: { 'kms:EncryptionContext:tenant': 'false' },
      StringEquals: { 'kms:EncryptionContext:purpose': ['field-encryption', 'blind-index'] },
    });
  });

  it('can never use the database key', () => {
    for (const s of statements) expect(pointsTo(s.Resource, all.infra.keys.databaseKey, 'BizlumoHr-App', all)).toBe(false);
    const kmsActions = statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'));
    expect(kmsActions).not.toContain('kms:*');
    expect(kmsActions).not.toContain('kms:CreateGrant');
    for (const s of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))) expect([s.Resource].flat()).not.toContain('*');
  });

  it('reaches only its own bucket, and the storage key only through S3', () => {
    const s3Statements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const s of s3Statements) {
      for (const resource of [s.Resource].flat()) expect(pointsTo(resource, all.infra.storage.bucket, 'BizlumoHr-App', all)).toBe(true);
    }
    const onStorageKey = statements.find((s) => pointsTo(s.Resource, all.infra.keys.storageKey, 'BizlumoHr-App', all));
    expect(onStorageKey?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.ap-south-1.amazonaws.com' } });
  });

  it('has no wildcard resource except what ECS Exec itself needs', () => {
    const wildcard = statements.filter((s) => [s.Resource].flat().includes('*')).flatMap(actionsOf);
    for (const action of wildcard) expect(action).toMatch(/^(ssmmessages:|logs:DescribeLogGroups$)/);
  });
});

describe('no SSH anywhere, and only the load balancer faces the internet', () => {
  it('has no ingress rule covering port 22 in any stack', () => {
    for (const template of Object.values(all.templates)) {
      for (const { rule } of ingressRules(template)) {
        const all = rule.IpProtocol === '-1';
        const from = Number(rule.FromPort);
        const to = Number(rule.ToPort);
        expect(all || (from <= 22 && 22 <= to)).toBe(false);
      }
    }
  });

  it('opens 0.0.0.0/0 only on 80 and 443 of the load balancer', () => {
    const albGroup = logicalId(all.infra.appStack.loadBalancer.connections.securityGroups[0]!);
    for (const [stackName, template] of Object.entries(all.templates)) {
      for (const { id, rule } of ingressRules(template)) {
        if (rule.CidrIp !== '0.0.0.0/0' && rule.CidrIpv6 !== '::/0') continue;
        expect({ stackName, id }).toEqual({ stackName: 'BizlumoHr-App', id: albGroup });
        expect([80, 443]).toContain(rule.FromPort);
        expect(rule.ToPort).toBe(rule.FromPort);
      }
    }
  });
});
