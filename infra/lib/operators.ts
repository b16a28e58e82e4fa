import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { KEY_ADMIN_ACTIONS } from './key-policy.js';
import { BREAK_GLASS_ROLE_NAME, KEY_ADMIN_ROLE_NAME } from './roles.js';

export interface OperatorRolesProps {
  /** Every customer-managed key of the estate: the admin role manages them, without using them. */
  keys: kms.IKey[];
  /** What break-glass may decrypt (the field key, the logical-backup key). */
  breakGlassKeys: kms.IKey[];
  bucket: s3.IBucket;
}

/**
 * The two human roles the key and bucket policies name. Both are assumed by people of this account, with
 * MFA (at most 15 minutes old) and for an hour at most; whoever may call sts:AssumeRole on them is decided
 * by the identity policies of the operators' groups (the break-glass group is empty until an incident).
 * Every assumption is in CloudTrail, and assuming break-glass pages (alarms stack).
 */
export class OperatorRoles extends Construct {
  readonly keyAdmin: iam.Role;
  readonly breakGlass: iam.Role;

  constructor(scope: Construct, id: string, props: OperatorRolesProps) {
    super(scope, id);
    const byPeopleWithMfa = new iam.AccountRootPrincipal().withConditions({
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': '900' },
    });

    this.keyAdmin = new iam.Role(this, 'KeyAdmin', {
      roleName: KEY_ADMIN_ROLE_NAME,
      description: 'Bizlumo HR: administer KMS keys (policy, rotation, enable/disable, deletion); cannot encrypt or decrypt',
      assumedBy: byPeopleWithMfa,
      maxSessionDuration: Duration.hours(1),
    });
    this.keyAdmin.addToPolicy(new iam.PolicyStatement({ actions: [...KEY_ADMIN_ACTIONS], resources: props.keys.map((k) => k.keyArn) }));

    this.breakGlass = new iam.Role(this, 'BreakGlass', {
      roleName: BREAK_GLASS_ROLE_NAME,
      description: 'Bizlumo HR: emergencies only; decrypt fields and logical backups, bypass governance retention',
      assumedBy: byPeopleWithMfa,
      maxSessionDuration: Duration.hours(1),
    });
    this.breakGlass.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: props.breakGlassKeys.map((k) => k.keyArn) }));
    this.breakGlass.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject*', 's3:PutObjectRetention', 's3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [props.bucket.arnForObjects('*')],
      }),
    );
    this.breakGlass.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:ListBucketVersions'], resources: [props.bucket.bucketArn] }));
  }
}
