import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, logicalId, resourcesOf, roleStatements, synthesizeAll, type Json, type Synthesized } from './support.js';

let all: Synthesized;
let storage: Template;
let dr: Template;

beforeAll(() => {
  all = synthesizeAll();
  storage = all.templates['BizlumoHr-Storage']!;
  dr = all.templates['BizlumoHr-DrVault']!;
});

const props = (template: Template, id: string) => template.toJSON().Resources[id].Properties as Json;

describe('object storage outside the region (issue 16, item 24)', () => {
  it('replicates every object of the app bucket, SSE-KMS ones included, to a bucket in ap-south-2 under a key there', () => {
    const config = props(storage, logicalId(all.infra.storage.bucket)).ReplicationConfiguration as Json;
    const [rule] = config.Rules as Json[];
    expect(rule).toMatchObject({ Status: 'Enabled', Filter: { Prefix: '' }, SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } } });
    const destination = rule!.Destination as Json;
    const drBucket = props(dr, logicalId(all.infra.drVault.bucket));
    expect(JSON.stringify(destination.Bucket)).toContain('arn:aws:s3:::bizlumo-hr-data-dr-');
    expect(JSON.stringify(drBucket.BucketName)).toContain('bizlumo-hr-data-dr-');
    const replicaKey = JSON.stringify((destination.EncryptionConfiguration as Json).ReplicaKmsKeyID);
    expect(replicaKey).toContain('arn:aws:kms:ap-south-2:');
    expect(replicaKey).toContain(':alias/bizlumo-hr/storage-dr');
    dr.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/bizlumo-hr/storage-dr' });
    expect(all.infra.drVault.region).toBe('ap-south-2');
  });

  it('keeps the copy encrypted, versioned, locked like the source and private', () => {
    const drBucket = props(dr, logicalId(all.infra.drVault.bucket));
    expect(drBucket.ObjectLockEnabled).toBe(true);
    expect(drBucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const [sse] = (drBucket.BucketEncryption as Json).ServerSideEncryptionConfiguration as Json[];
    expect((sse!.ServerSideEncryptionByDefault as Json).SSEAlgorithm).toBe('aws:kms');
    expect((drBucket.PublicAccessBlockConfiguration as Json).RestrictPublicBuckets).toBe(true);
  });

  it('replicates with a role of its own that can read versions with their retention and write only to the copy', () => {
    const config = props(storage, logicalId(all.infra.storage.bucket)).ReplicationConfiguration as Json;
    const roleId = ((config.Role as Json)['Fn::GetAtt'] as string[])[0]!;
    const actions = roleStatements(storage, roleId).flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:GetObjectVersionForReplication',
        's3:GetObjectRetention',
        's3:GetObjectLegalHold',
        's3:ReplicateObject',
        's3:ReplicateDelete',
      ]),
    );
    expect(actions).not.toContain('s3:*');
  });
});

describe('replication is watched (issue 16, item 24)', () => {
  it('pages when S3 fails to replicate an object to ap-south-2', () => {
    const alarms = all.templates['BizlumoHr-Alarms']!;
    const [alarm] = resourcesOf(alarms, 'AWS::CloudWatch::Alarm')
      .map(([, p]) => p)
      .filter((p) => p.MetricName === 'OperationsFailedReplication');
    expect(alarm).toMatchObject({ Namespace: 'AWS/S3', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const dimensions = Object.fromEntries((alarm!.Dimensions as Json[]).map((d) => [d.Name, JSON.stringify(d.Value)]));
    expect(Object.keys(dimensions).sort()).toEqual(['DestinationBucket', 'RuleId', 'SourceBucket']);
    expect(dimensions.DestinationBucket).toContain('bizlumo-hr-data-dr-');
    expect(dimensions.RuleId).toBe('"CopyToHyderabad"');
  });
});
