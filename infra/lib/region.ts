/**
 * Where each stack may live. The security page promises that customer data stays in India, so the
 * region is checked before a single construct is created, and again on the synthesized templates by the
 * guardrails validation plugin (a stack added later in the wrong region still fails synthesis).
 */

/** Mumbai: every stack that holds or processes customer data. */
export const PRIMARY_REGION = 'ap-south-1';

/** Hyderabad: only disaster-recovery copies (the backup vault, the bucket copy) and the field key's replica. */
export const DR_REGION = 'ap-south-2';

/**
 * N. Virginia: AWS requires two things to live here and nothing else of ours does: the asymmetric KMS
 * key that signs the Route 53 zone (DNSSEC) and the ACM certificate CloudFront serves. Neither holds
 * customer data; the guardrails plugin allows only the resource types in GLOBAL_EDGE_RESOURCE_TYPES.
 */
export const GLOBAL_EDGE_REGION = 'us-east-1';

export type StackRole = 'primary' | 'dr' | 'global-edge';

const REQUIRED_REGION: Record<StackRole, string> = {
  primary: PRIMARY_REGION,
  dr: DR_REGION,
  'global-edge': GLOBAL_EDGE_REGION,
};

const WHY: Record<StackRole, string> = {
  primary: 'customer data stays in India (Mumbai)',
  dr: 'disaster-recovery copies stay in India (Hyderabad)',
  'global-edge': 'Route 53 DNSSEC signing keys and CloudFront certificates must be in us-east-1',
};

/** Resource types the DR stack may contain: the vault, the bucket copy, their keys, and the field key's replica. */
export const DR_RESOURCE_TYPES: readonly string[] = [
  'AWS::KMS::Key',
  'AWS::KMS::ReplicaKey',
  'AWS::KMS::Alias',
  'AWS::Backup::BackupVault',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
];

/** Resource types the us-east-1 stack may contain: DNS, its signing key, the CloudFront certificate. */
export const GLOBAL_EDGE_RESOURCE_TYPES: readonly string[] = [
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::Route53::HostedZone',
  'AWS::Route53::KeySigningKey',
  'AWS::Route53::DNSSEC',
  'AWS::Route53::RecordSet',
  'AWS::CertificateManager::Certificate',
];

export class RegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegionError';
  }
}

/** Throws a RegionError naming the offending region unless `region` is the one `role` must use. */
export function assertRegion(role: StackRole, region: string | undefined): string {
  const required = REQUIRED_REGION[role];
  if (region === required) return region;
  const shown = region === undefined || region === '' ? '(none)' : region;
  const label = role === 'primary' ? 'Bizlumo HR stacks' : role === 'dr' ? 'The disaster-recovery copy target' : 'The global edge stack';
  throw new RegionError(`${label} must be deployed to ${required} (${WHY[role]}); refusing region ${shown}.`);
}

/** Which role a region plays, or undefined for a region we never deploy to. */
export function roleOfRegion(region: string | undefined): StackRole | undefined {
  if (region === PRIMARY_REGION) return 'primary';
  if (region === DR_REGION) return 'dr';
  if (region === GLOBAL_EDGE_REGION) return 'global-edge';
  return undefined;
}

/** Explicit zones (no context look-up at synthesis); three so a zone outage leaves two. */
export const PRIMARY_AVAILABILITY_ZONES: readonly string[] = ['ap-south-1a', 'ap-south-1b', 'ap-south-1c'];
