import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** The copy of the app bucket in ap-south-2 (DR stack); named from the account so this side needs no reference. */
export function drBucketName(account: string): string {
  return `bizlumo-hr-data-dr-${account}`;
}
/** Encrypts the copy; S3 accepts the key by alias ARN, again so no cross-region reference is needed. */
export const DR_STORAGE_KEY_ALIAS = 'alias/bizlumo-hr/storage-dr';
/** The replication rule's id (also a dimension of its S3 replication metrics). */
export const REPLICATION_RULE_ID = 'CopyToHyderabad';

/**
 * S3 Cross-Region Replication of every new object version (SSE-KMS ones included, re-encrypted under the
 * DR key), delete markers too, with its retention: after losing Mumbai the files come back with the
 * database. Objects that existed before replication was turned on need one S3 Batch Replication job
 * (infra/README.md). Replication metrics are on, so a backlog or failures show in CloudWatch.
 */
export function replicateToDr(bucket: s3.Bucket, storageKey: kms.IKey, drRegion: string): iam.Role {
  const stack = Stack.of(bucket);
  const destination = `arn:${stack.partition}:s3:::${drBucketName(stack.account)}`;
  const drKeyAlias = `arn:${stack.partition}:kms:${drRegion}:${stack.account}:${DR_STORAGE_KEY_ALIAS}`;
  const role = new iam.Role(bucket, 'ReplicationRole', {
    description: 'Bizlumo HR: S3 replication of the app bucket to ap-south-2',
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
  });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [bucket.bucketArn] }));
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'],
      resources: [`${destination}/*`],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [`arn:${stack.partition}:kms:${drRegion}:${stack.account}:key/*`],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${drRegion}.amazonaws.com` },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': DR_STORAGE_KEY_ALIAS },
      },
    }),
  );

  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.replicationConfiguration = {
    role: role.roleArn,
    rules: [
      {
        id: REPLICATION_RULE_ID,
        status: 'Enabled',
        priority: 1,
        filter: { prefix: '' },
        deleteMarkerReplication: { status: 'Enabled' },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
        destination: {
          bucket: destination,
          encryptionConfiguration: { replicaKmsKeyId: drKeyAlias },
          metrics: { status: 'Enabled' },
        },
      },
    ],
  };
  return role;
}
