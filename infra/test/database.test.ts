import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASK_ROLE_NAME } from '../lib/roles.js';
import { PRIMARY_AVAILABILITY_ZONES } from '../lib/region.js';
import { ingressRules, logicalId, pointsTo, resourcesOf, synthesizeAll, type Json, type Synthesized } from './support.js';

let all: Synthesized;
let network: Template;
let keys: Template;
let database: Template;

beforeAll(() => {
  all = synthesizeAll();
  network = all.templates['BizlumoHr-Network']!;
  keys = all.templates['BizlumoHr-Keys']!;
  database = all.templates['BizlumoHr-Database']!;
});

describe('network', () => {
  it('spreads every subnet tier over the three Mumbai zones', () => {
    const subnets = resourcesOf(network, 'AWS::EC2::Subnet');
    const zonesByTier = new Map<string, Set<string>>();
    for (const [, p] of subnets) {
      const tier = ((p.Tags as Json[]).find((t) => t.Key === 'aws-cdk:subnet-name') as Json).Value as string;
      zonesByTier.set(tier, (zonesByTier.get(tier) ?? new Set()).add(p.AvailabilityZone as string));
      expect(p.MapPublicIpOnLaunch).toBe(false);
    }
    expect([...zonesByTier.keys()].sort()).toEqual(['app', 'data', 'edge']);
    for (const zones of zonesByTier.values()) expect([...zones].sort()).toEqual([...PRIMARY_AVAILABILITY_ZONES]);
  });

  it('gives the database subnets no route out of the VPC', () => {
    const dataTables = new Set(
      resourcesOf(network, 'AWS::EC2::SubnetRouteTableAssociation')
        .filter(([id]) => id.startsWith('Vpcdata'))
        .map(([, p]) => (p.RouteTableId as Json).Ref),
    );
    expect(dataTables.size).toBe(3);
    for (const [, route] of resourcesOf(network, 'AWS::EC2::Route')) {
      expect(dataTables.has((route.RouteTableId as Json).Ref)).toBe(false);
    }
  });

  it('keeps AWS API traffic inside AWS with VPC endpoints', () => {
    network.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
    });
    for (const service of ['kms', 'secretsmanager', 'ecr.api', 'ecr.dkr', 'logs', 'ssmmessages']) {
      network.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: `com.amazonaws.ap-south-1.${service}`,
        PrivateDnsEnabled: true,
      });
    }
  });

  it('admits endpoint traffic from the VPC range only', () => {
    for (const { rule } of ingressRules(network)) {
      expect(rule.CidrIp).toEqual({ 'Fn::GetAtt': [logicalId(all.infra.network.vpc), 'CidrBlock'] });
    }
  });

  it('logs VPC flows to an encrypted log group with retention', () => {
    network.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    const [[, flowLogs]] = resourcesOf(network, 'AWS::Logs::LogGroup') as [[string, Json]];
    expect(flowLogs.RetentionInDays).toBe(365);
    expect(pointsTo(flowLogs.KmsKeyId, all.infra.keys.logsKey, 'BizlumoHr-Network', all)).toBe(true);
  });
});

describe('keys', () => {
  it('rotates every customer-managed key', () => {
    const keyResources = resourcesOf(keys, 'AWS::KMS::Key');
    expect(keyResources).toHaveLength(6);
    for (const [, key] of keyResources) expect(key.EnableKeyRotation).toBe(true);
  });

  it('keeps the field key separate from the database key', () => {
    expect(logicalId(all.infra.keys.fieldKey)).not.toBe(logicalId(all.infra.keys.databaseKey));
    keys.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/bizlumo-hr/field' });
    keys.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/bizlumo-hr/database' });
  });

  it('denies the app task role any use of the database key in the key policy', () => {
    const policy = keys.toJSON().Resources[logicalId(all.infra.keys.databaseKey)].Properties.KeyPolicy;
    const deny = (policy.Statement as Json[]).find((s) => s.Effect === 'Deny');
    expect(deny).toMatchObject({ Action: 'kms:*', Principal: { AWS: '*' }, Resource: '*' });
    expect(deny!.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, `:role/${TASK_ROLE_NAME}`]] } },
    });
  });

  it('replicates the field key (Multi-Region) to ap-south-2, with the same tenant-context rule', () => {
    const field = keys.toJSON().Resources[logicalId(all.infra.keys.fieldKey)].Properties;
    expect(field.MultiRegion).toBe(true);
    const dr = all.templates['BizlumoHr-DrVault']!;
    const [[, replica]] = resourcesOf(dr, 'AWS::KMS::ReplicaKey') as [[string, Json]];
    expect(pointsTo(replica.PrimaryKeyArn, all.infra.keys.fieldKey, 'BizlumoHr-DrVault', all)).toBe(true);
    expect((replica.KeyPolicy as Json).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Null: { 'kms:EncryptionContext:tenant': 'true' } } }),
    );
    expect(all.infra.drVault.region).toBe('ap-south-2');
  });

  it('refuses any use of the field key without a tenant in the encryption context', () => {
    const policy = keys.toJSON().Resources[logicalId(all.infra.keys.fieldKey)].Properties.KeyPolicy;
    expect(policy.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Null: { 'kms:EncryptionContext:tenant': 'true' } } }));
  });
});

describe('database', () => {
  it('is MySQL 8.4, Multi-AZ, encrypted with the database key, private and protected', () => {
    const [[, db]] = resourcesOf(database, 'AWS::RDS::DBInstance') as [[string, Json]];
    expect(db.Engine).toBe('mysql');
    expect(db.EngineVersion).toMatch(/^8\.4\.\d+$/);
    expect(db.MultiAZ).toBe(true);
    expect(db.StorageEncrypted).toBe(true);
    expect(pointsTo(db.KmsKeyId, all.infra.keys.databaseKey, 'BizlumoHr-Database', all)).toBe(true);
    expect(db.PubliclyAccessible).toBe(false);
    expect(db.DeletionProtection).toBe(true);
    expect(db.BackupRetentionPeriod).toBe(7);
    database.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  it('lives in the isolated data subnets', () => {
    const [[, group]] = resourcesOf(database, 'AWS::RDS::DBSubnetGroup') as [[string, Json]];
    const subnets = group.SubnetIds as unknown[];
    expect(subnets).toHaveLength(3);
    const dataSubnets = all.infra.network.vpc.isolatedSubnets;
    for (const subnet of subnets) {
      expect(dataSubnets.some((s) => pointsTo(subnet, s, 'BizlumoHr-Database', all))).toBe(true);
    }
  });

  it('requires TLS from every client', () => {
    database.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'mysql8.4',
      Parameters: Match.objectLike({ require_secure_transport: 'ON', tls_version: 'TLSv1.2,TLSv1.3' }),
    });
  });

  it('keeps credentials in Secrets Manager and rotates them every 30 days', () => {
    database.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'bizlumo-hr/database',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    });
    // Replicated to ap-south-2 so a region-level recovery has the current credentials.
    database.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'bizlumo-hr/database', ReplicaRegions: [{ Region: 'ap-south-2' }] });
    database.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationSingleUser'), 'Outputs.RotationLambdaARN'] },
    });
  });

  it('has an AWS Backup plan: daily, kept 30 days, encrypted vault, copied to ap-south-2', () => {
    database.hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: 'bizlumo-hr',
      EncryptionKeyArn: Match.anyValue(),
      LockConfiguration: { MinRetentionDays: 7 },
    });
    const [[, vault]] = resourcesOf(database, 'AWS::Backup::BackupVault') as [[string, Json]];
    expect(pointsTo(vault.EncryptionKeyArn, all.infra.keys.backupKey, 'BizlumoHr-Database', all)).toBe(true);

    const [[, plan]] = resourcesOf(database, 'AWS::Backup::BackupPlan') as [[string, Json]];
    const [rule] = (plan.BackupPlan as Json).BackupPlanRule as Json[];
    expect(rule!.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(rule!.Lifecycle).toEqual({ DeleteAfterDays: 30 });
    const [copy] = rule!.CopyActions as Json[];
    expect(JSON.stringify(copy!.DestinationBackupVaultArn)).toContain('arn:aws:backup:ap-south-2:');
    expect(JSON.stringify(copy!.DestinationBackupVaultArn)).toContain(':backup-vault:bizlumo-hr-dr');

    const [[, selection]] = resourcesOf(database, 'AWS::Backup::BackupSelection') as [[string, Json]];
    expect(JSON.stringify(selection)).toContain(logicalId(all.infra.database.instance));
  });

  it('opens MySQL to the app and rotation security groups only, never to an address range', () => {
    const dbGroup = all.infra.database.securityGroup;
    const rulesOnDb = Object.entries(all.templates).flatMap(([stackName, template]) =>
      ingressRules(template)
        .filter(({ id, rule }) => pointsTo(rule.GroupId, dbGroup, stackName, all) || (stackName === 'BizlumoHr-Database' && id === logicalId(dbGroup)))
        .map(({ rule }) => ({ stackName, rule })),
    );
    expect(rulesOnDb.length).toBeGreaterThanOrEqual(2);
    for (const { rule } of rulesOnDb) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
      expect(rule.SourceSecurityGroupId).toBeDefined();
      const port = { 'Fn::GetAtt': [logicalId(all.infra.database.instance), 'Endpoint.Port'] };
      for (const bound of [rule.FromPort, rule.ToPort]) expect([3306, port]).toContainEqual(bound);
    }
    const fromApp = rulesOnDb.find(({ stackName }) => stackName === 'BizlumoHr-App');
    expect(fromApp).toBeDefined();
  });
});
