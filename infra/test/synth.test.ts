import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTemplate } from '../lib/guardrails.js';
import { buildInfra } from '../lib/infra.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const STACKS = ['Keys', 'Network', 'Storage', 'DrVault', 'Database', 'EdgeGlobal', 'App', 'Edge', 'Alarms'].map((s) => `BizlumoHr-${s}`);

interface PluginReport {
  pluginName: string;
  conclusion: 'success' | 'failure';
  violations: { ruleName: string; description: string }[];
  suppressedViolations?: { ruleName: string; reason?: string; acknowledgedAt?: string }[];
}
const readReport = (dir: string) => JSON.parse(readFileSync(join(dir, 'validation-report.json'), 'utf8')) as { pluginReports: PluginReport[] };

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bizlumo-infra-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm run infra:synth (infra/bin/synth.ts)', () => {
  let outdir: string;
  let run: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    outdir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir };
    delete env.NODE_ENV;
    delete env.BIZLUMO_REGION;
    // No credentials and nowhere to look anything up: synthesis must not need them.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
    run = spawnSync(`${root}node_modules/.bin/tsx`, ['infra/bin/synth.ts'], { cwd: root, env, encoding: 'utf8' });
  });

  it('writes a template for every stack', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Synthesized 9 stacks');
    expect(run.stdout).toContain('validation findings: 0.');
    for (const stack of STACKS) expect(existsSync(join(outdir, `${stack}.template.json`)), stack).toBe(true);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { missing?: unknown[] };
    expect(manifest.missing ?? []).toEqual([]);
  });

  it('reports no findings from CDK’s built-in CloudFormation validation or our guardrails', () => {
    const report = readReport(outdir);
    for (const plugin of report.pluginReports) {
      expect(plugin.conclusion, plugin.pluginName).toBe('success');
      expect(plugin.violations, plugin.pluginName).toEqual([]);
      // The only acknowledged rule is CDK's own (the Vpc construct acknowledges it for its stack): the
      // explicit availability zones we asked for, instead of a context look-up.
      for (const suppressed of plugin.suppressedViolations ?? []) {
        expect(suppressed).toMatchObject({ ruleName: 'W3010', acknowledgedAt: 'BizlumoHr-Network' });
      }
    }
  });

  it('produces templates our guardrails pass, checked directly', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment?: string }>;
    };
    for (const stack of STACKS) {
      const region = manifest.artifacts[stack]!.environment!.split('/').pop();
      const template = JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8'));
      expect(checkTemplate(template, region), stack).toEqual([]);
    }
  });
});

describe('a finding fails synthesis', () => {
  it('fails on a guardrail finding (MySQL opened to the internet) and says which', () => {
    const outdir = tempDir();
    const infra = buildInfra({ outdir });
    new ec2.CfnSecurityGroupIngress(infra.database, 'OpenDatabase', {
      groupId: infra.database.securityGroup.securityGroupId,
      cidrIp: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 3306,
      toPort: 3306,
    });
    expect(() => infra.app.synth()).toThrow(/no-open-ingress/);
    const guardrails = readReport(outdir).pluginReports.find((p) => p.pluginName === 'Bizlumo HR guardrails');
    expect(guardrails?.conclusion).toBe('failure');
    expect(guardrails?.violations.map((v) => v.ruleName).sort()).toEqual(['database-ingress', 'no-open-ingress']);
  });

  it('fails on a CloudFormation Validate error (a property CloudFormation does not know)', () => {
    const outdir = tempDir();
    const infra = buildInfra({ outdir });
    new CfnResource(infra.keys, 'Broken', {
      type: 'AWS::KMS::Alias',
      properties: { AliasName: 'alias/bizlumo-hr/broken', TargetKeyId: infra.keys.fieldKey.keyId, Colour: 'blue' },
    });
    expect(() => infra.app.synth()).toThrow(/ValidationFailed|CloudFormation Validate/);
    const builtin = readReport(outdir).pluginReports.find((p) => p.pluginName === 'CloudFormation Validate');
    expect(builtin?.conclusion).toBe('failure');
    expect(builtin?.violations.some((v) => v.description.includes('Colour'))).toBe(true);
  });

  it('fails on a CloudFormation Validate warning too (strict mode)', () => {
    const outdir = tempDir();
    const infra = buildInfra({ outdir });
    new ec2.CfnSubnet(infra.storage, 'StraySubnet', { vpcId: infra.network.vpc.vpcId, cidrBlock: '10.40.250.0/24', availabilityZone: 'ap-south-1a' });
    expect(() => infra.app.synth()).toThrow(/W3010|hardcoding availability zones/);
  });
});

describe('guardrail rules (unit)', () => {
  const one = (type: string, properties: Record<string, unknown>) =>
    checkTemplate({ Resources: { R: { Type: type, Properties: properties } } }, 'ap-south-1').map((f) => f.rule);

  it('catch SSH and open ingress', () => {
    expect(one('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' })).toEqual(['no-ssh']);
    expect(one('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }] })).toEqual([
      'no-ssh',
      'no-open-ingress',
      'database-ingress',
    ]);
    expect(one('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] })).toEqual([]);
  });

  it('catch an unsafe database', () => {
    expect(one('AWS::RDS::DBInstance', { PubliclyAccessible: true, BackupRetentionPeriod: 1 }).sort()).toEqual(
      ['rds-backups', 'rds-deletion-protection', 'rds-encryption', 'rds-multi-az', 'rds-private'].sort(),
    );
  });

  it('catch buckets, keys, logs, tasks, listeners, distributions and topics that break a promise', () => {
    expect(one('AWS::S3::Bucket', {})).toEqual(['s3-encryption', 's3-public-access', 's3-tls-only']);
    expect(one('AWS::KMS::Key', {})).toEqual(['kms-rotation']);
    expect(one('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256' })).toEqual([]);
    expect(one('AWS::Logs::LogGroup', {})).toEqual(['log-retention']);
    expect(one('AWS::ECS::TaskDefinition', { ContainerDefinitions: [{ Name: 'x' }] })).toEqual(['ecs-read-only-root']);
    expect(one('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-2016-08' })).toEqual(['alb-tls']);
    expect(one('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTP', DefaultActions: [{ Type: 'forward' }] })).toEqual(['alb-plain-http']);
    expect(one('AWS::CloudFront::Distribution', { DistributionConfig: { ViewerCertificate: { MinimumProtocolVersion: 'TLSv1' } } })).toEqual([
      'cloudfront-tls',
    ]);
    expect(one('AWS::SNS::Topic', {})).toEqual(['sns-encryption']);
  });
});
