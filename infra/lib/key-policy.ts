import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { roleArn } from './roles.js';

/**
 * Managing a key without being able to use it. The account root keeps these (so IAM policies, CloudFormation
 * included, can administer the keys and the policy can never lock everyone out); the named key-admin role
 * holds them through its identity policy. None of them encrypts or decrypts anything.
 */
export const KEY_ADMIN_ACTIONS = [
  // Not kms:Create*: CreateGrant is use by another name (a grant to oneself decrypts).
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
  'kms:ReplicateKey',
  'kms:UpdatePrimaryRegion',
] as const;

/** Cryptographic use (and the grants AWS services create to use a key for us). */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
  'kms:CreateGrant',
  'kms:ListGrants',
  'kms:RevokeGrant',
] as const;

/**
 * The root may administer the key, and use it only when `rootMayUse` (keys AWS services use for us, where
 * identity policies decide who): no `kms:*` for anyone.
 */
export function administration(rootMayUse = false): iam.PolicyStatement[] {
  const root = new iam.AccountRootPrincipal();
  const statements = [new iam.PolicyStatement({ sid: 'KeyAdministration', principals: [root], actions: [...KEY_ADMIN_ACTIONS], resources: ['*'] })];
  // AWS services (RDS, AWS Backup, S3, CloudWatch Logs) use these keys on the caller's behalf: IAM decides who.
  if (rootMayUse) statements.push(new iam.PolicyStatement({ sid: 'UseThroughIam', principals: [root], actions: [...KEY_USE_ACTIONS], resources: ['*'] }));
  return statements;
}

/**
 * Lets the named roles (who may not exist yet: KMS refuses a policy naming a missing principal, so they are
 * matched by `aws:PrincipalArn` behind the account principal) perform `actions`, under `conditions`.
 * The role's own identity policy must allow the same.
 */
export function allowRoles(
  scope: IConstruct,
  sid: string,
  roleNames: readonly string[],
  actions: string[],
  conditions: Record<string, unknown> = {},
): iam.PolicyStatement {
  const stack = Stack.of(scope);
  const arns = roleNames.map((name) => roleArn(stack, name));
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.AccountRootPrincipal()],
    actions,
    resources: ['*'],
    conditions: { ...conditions, ArnEquals: { 'aws:PrincipalArn': arns.length === 1 ? arns[0] : arns } },
  });
}

/** No identity policy can ever give these roles any use of the key. */
export function denyRoles(scope: IConstruct, sid: string, roleNames: readonly string[]): iam.PolicyStatement {
  const stack = Stack.of(scope);
  const arns = roleNames.map((name) => roleArn(stack, name));
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:*'],
    resources: ['*'],
    conditions: { ArnEquals: { 'aws:PrincipalArn': arns.length === 1 ? arns[0] : arns } },
  });
}

/** For keys whose use IAM decides (service keys): administration by the root, use through identity policies. */
export function accountKeyPolicy(): iam.PolicyDocument {
  return new iam.PolicyDocument({ statements: administration(true) });
}
