import { readFileSync } from 'node:fs';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { DR_RESOURCE_TYPES, GLOBAL_EDGE_RESOURCE_TYPES, roleOfRegion } from './region.js';

/**
 * Our own synthesis-time checks, run by CDK next to its built-in CloudFormation validation and
 * written to the same `validation-report.json`. Any finding fails synthesis. They read the
 * synthesized templates, so they also catch a resource someone adds later by hand or by L1.
 */

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
}
interface Template {
  Resources?: Record<string, Resource>;
}
export interface Finding {
  rule: string;
  logicalId?: string;
  message: string;
}

/** Always allowed: CDK's own bookkeeping resource. */
const ANYWHERE = new Set(['AWS::CDK::Metadata']);
const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);
/** Only the load balancer may face the internet, and only on these ports. */
const INTERNET_PORTS = new Set([80, 443]);
const CLOUDFRONT_MIN_TLS = new Set(['TLSv1.2_2021', 'TLSv1.2_2025', 'TLSv1.3_2025']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isTrue = (v: unknown) => v === true || v === 'true';

export function checkTemplate(template: Template, region: string | undefined): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: string, logicalId: string | undefined, message: string) => findings.push({ rule, logicalId, message });
  const resources = Object.entries(template.Resources ?? {});

  const role = roleOfRegion(region);
  if (role === undefined) {
    add(
      'region',
      undefined,
      `stack is in region ${region ?? '(unknown)'}; only ap-south-1 (and ap-south-2 for DR copies, us-east-1 for DNSSEC/CloudFront) are allowed`,
    );
  } else if (role !== 'primary') {
    const allowed = new Set(role === 'dr' ? DR_RESOURCE_TYPES : GLOBAL_EDGE_RESOURCE_TYPES);
    for (const [id, r] of resources) {
      if (!allowed.has(r.Type) && !ANYWHERE.has(r.Type))
        add('region', id, `${r.Type} is not allowed in ${region}: customer data and compute stay in ap-south-1`);
    }
  }

  for (const [id, r] of resources) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::EC2::SecurityGroup':
        for (const rule of asArray(p.SecurityGroupIngress)) if (isObject(rule)) checkIngress(rule, id, add);
        break;
      case 'AWS::EC2::SecurityGroupIngress':
        checkIngress(p, id, add);
        break;
      case 'AWS::RDS::DBInstance':
        if (!isTrue(p.StorageEncrypted) || p.KmsKeyId === undefined) add('rds-encryption', id, 'storage must be encrypted with a customer-managed KMS key');
        if (isTrue(p.PubliclyAccessible)) add('rds-private', id, 'the database must not be publicly accessible');
        if (!isTrue(p.MultiAZ)) add('rds-multi-az', id, 'the database must be Multi-AZ');
        if (!isTrue(p.DeletionProtection)) add('rds-deletion-protection', id, 'deletion protection must be on');
        if (!(Number(p.BackupRetentionPeriod) >= 7)) add('rds-backups', id, 'automated backups must be kept at least 7 days');
        break;
      case 'AWS::S3::Bucket': {
        if (p.BucketEncryption === undefined) add('s3-encryption', id, 'default encryption must be configured');
        const block = isObject(p.PublicAccessBlockConfiguration) ? p.PublicAccessBlockConfiguration : {};
        const flags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];
        if (!flags.every((f) => isTrue(block[f]))) add('s3-public-access', id, 'all four public-access blocks must be on');
        if (!hasTlsOnlyPolicy(resources, id)) add('s3-tls-only', id, 'the bucket policy must deny requests without TLS');
        break;
      }
      case 'AWS::KMS::Key': {
        const symmetric = p.KeySpec === undefined || p.KeySpec === 'SYMMETRIC_DEFAULT';
        if (symmetric && !isTrue(p.EnableKeyRotation)) add('kms-rotation', id, 'symmetric keys must rotate');
        break;
      }
      case 'AWS::Logs::LogGroup':
        if (p.RetentionInDays === undefined) add('log-retention', id, 'log groups must have a retention period');
        break;
      case 'AWS::ECS::TaskDefinition':
        for (const c of asArray(p.ContainerDefinitions)) {
          if (isObject(c) && !isTrue(c.ReadonlyRootFilesystem))
            add('ecs-read-only-root', id, `container ${String(c.Name)} must have a read-only root filesystem`);
        }
        break;
      case 'AWS::ElasticLoadBalancingV2::Listener':
        checkListener(p, id, add);
        break;
      case 'AWS::CloudFront::Distribution': {
        const config = isObject(p.DistributionConfig) ? p.DistributionConfig : {};
        const cert = isObject(config.ViewerCertificate) ? config.ViewerCertificate : {};
        if (!CLOUDFRONT_MIN_TLS.has(String(cert.MinimumProtocolVersion))) add('cloudfront-tls', id, 'minimum viewer TLS must be TLSv1.2_2021 or newer');
        break;
      }
      case 'AWS::SNS::Topic':
        if (p.KmsMasterKeyId === undefined) add('sns-encryption', id, 'topics must be encrypted with KMS');
        break;
    }
  }
  return findings;
}

type Add = (rule: string, logicalId: string | undefined, message: string) => void;

function checkIngress(rule: Json, id: string, add: Add): void {
  const protocol = String(rule.IpProtocol);
  const from = protocol === '-1' ? 0 : Number(rule.FromPort);
  const to = protocol === '-1' ? 65535 : Number(rule.ToPort);
  if (from <= 22 && 22 <= to) add('no-ssh', id, 'no ingress may open port 22: shell access is ECS Exec only');
  const cidr = rule.CidrIp ?? rule.CidrIpv6;
  if (typeof cidr === 'string' && OPEN_CIDRS.has(cidr) && !(from === to && INTERNET_PORTS.has(from))) {
    add('no-open-ingress', id, `ingress from ${cidr} is allowed only on ports 80 and 443 (got ${protocol} ${from}-${to})`);
  }
  if (from <= 3306 && 3306 <= to && rule.SourceSecurityGroupId === undefined) {
    add('database-ingress', id, 'MySQL may be reached only from a security group, never from an address range');
  }
}

function checkListener(p: Json, id: string, add: Add): void {
  if (p.Protocol === 'HTTPS') {
    if (!String(p.SslPolicy).startsWith('ELBSecurityPolicy-TLS13-1-2-')) add('alb-tls', id, 'HTTPS listeners must use a TLS 1.3/1.2-only policy');
    return;
  }
  const actions = asArray(p.DefaultActions).filter(isObject);
  const redirectsToHttps =
    actions.length > 0 && actions.every((a) => a.Type === 'redirect' && isObject(a.RedirectConfig) && a.RedirectConfig.Protocol === 'HTTPS');
  if (!redirectsToHttps) add('alb-plain-http', id, 'a plain-HTTP listener may only redirect to HTTPS');
}

function hasTlsOnlyPolicy(resources: [string, Resource][], bucketId: string): boolean {
  return resources.some(([, r]) => {
    if (r.Type !== 'AWS::S3::BucketPolicy') return false;
    const bucket = r.Properties?.Bucket;
    if (!isObject(bucket) || bucket.Ref !== bucketId) return false;
    const document = r.Properties?.PolicyDocument;
    const statements = isObject(document) ? asArray(document.Statement) : [];
    return statements.some((s) => {
      if (!isObject(s) || s.Effect !== 'Deny' || !isObject(s.Condition)) return false;
      const bool = s.Condition.Bool;
      return isObject(bool) && String(bool['aws:SecureTransport']) === 'false';
    });
  });
}

/** The CDK plugin wrapper: reads each synthesized template and reports findings as errors. */
export class GuardrailsPlugin implements IPolicyValidationPlugin {
  readonly name = 'Bizlumo HR guardrails';
  readonly version = '1.0.0';
  readonly ruleIds = [
    'region',
    'no-ssh',
    'no-open-ingress',
    'database-ingress',
    'rds-encryption',
    'rds-private',
    'rds-multi-az',
    'rds-deletion-protection',
    'rds-backups',
    's3-encryption',
    's3-public-access',
    's3-tls-only',
    'kms-rotation',
    'log-retention',
    'ecs-read-only-root',
    'alb-tls',
    'alb-plain-http',
    'cloudfront-tls',
    'sns-encryption',
  ];

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    for (const stack of context.stackTemplates) {
      const template = JSON.parse(readFileSync(stack.templatePath, 'utf8')) as Template;
      for (const finding of checkTemplate(template, stack.region)) {
        violations.push({
          ruleName: finding.rule,
          description: finding.message,
          severity: 'error',
          violatingResources: [
            finding.logicalId
              ? { resourceLogicalId: finding.logicalId, templatePath: stack.templatePath, locations: ['Properties'] }
              : { constructPath: stack.stackConstructPath, templatePath: stack.templatePath, locations: [] },
          ],
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}
