import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../lib/guardrails.js';
import { buildInfra } from '../lib/infra.js';
import { RegionError, assertRegion } from '../lib/region.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('region guard', () => {
  it.each(['eu-west-1', 'us-east-1', 'ap-southeast-1', 'ap-south-2', ''])('refuses %j for the main stacks, naming it', (region) => {
    expect(() => buildInfra({ region })).toThrow(RegionError);
    expect(() => buildInfra({ region })).toThrow(
      `Bizlumo HR stacks must be deployed to ap-south-1 (customer data stays in India (Mumbai)); refusing region ${region || '(none)'}.`,
    );
  });

  it.each(['ap-south-1', 'eu-central-1'])('refuses %s as the disaster-recovery copy target', (drRegion) => {
    expect(() => buildInfra({ drRegion })).toThrow(`The disaster-recovery copy target must be deployed to ap-south-2`);
    expect(() => buildInfra({ drRegion })).toThrow(`refusing region ${drRegion}`);
  });

  it('allows us-east-1 only for the global edge stack', () => {
    expect(assertRegion('global-edge', 'us-east-1')).toBe('us-east-1');
    expect(() => assertRegion('global-edge', 'eu-west-1')).toThrow(/global edge stack must be deployed to us-east-1/);
  });

  it('pins every stack: data in ap-south-1, DR vault in ap-south-2, DNSSEC key and CloudFront certificate in us-east-1', () => {
    const infra = buildInfra();
    const regions = Object.fromEntries(
      [infra.keys, infra.network, infra.storage, infra.database, infra.appStack, infra.edge, infra.alarms, infra.drVault, infra.edgeGlobal].map((s) => [
        s.stackName,
        s.region,
      ]),
    );
    expect(regions).toEqual({
      'BizlumoHr-Keys': 'ap-south-1',
      'BizlumoHr-Network': 'ap-south-1',
      'BizlumoHr-Storage': 'ap-south-1',
      'BizlumoHr-Database': 'ap-south-1',
      'BizlumoHr-App': 'ap-south-1',
      'BizlumoHr-Edge': 'ap-south-1',
      'BizlumoHr-Alarms': 'ap-south-1',
      'BizlumoHr-DrVault': 'ap-south-2',
      'BizlumoHr-EdgeGlobal': 'us-east-1',
    });
  });

  it('fails synthesis (guardrails) for a stack added in another region or data outside Mumbai', () => {
    const database = { Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: {} } } };
    expect(checkTemplate({ Resources: {} }, 'eu-west-1')).toEqual([expect.objectContaining({ rule: 'region', message: expect.stringContaining('eu-west-1') })]);
    expect(checkTemplate(database, 'ap-south-2')).toContainEqual(
      expect.objectContaining({ rule: 'region', logicalId: 'Db', message: expect.stringContaining('not allowed in ap-south-2') }),
    );
    expect(checkTemplate(database, 'us-east-1')).toContainEqual(
      expect.objectContaining({ rule: 'region', logicalId: 'Db', message: expect.stringContaining('not allowed in us-east-1') }),
    );
    const bucket = { Resources: { Files: { Type: 'AWS::S3::Bucket', Properties: {} } } };
    expect(checkTemplate(bucket, 'us-east-1').map((f) => f.rule)).toContain('region');
  });

  it('makes `npm run infra:synth` exit non-zero with a message naming the region', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, BIZLUMO_REGION: 'eu-west-1', CDK_OUTDIR: '/nonexistent/never-written' };
    delete env.NODE_ENV;
    const run = spawnSync(`${root}node_modules/.bin/tsx`, ['infra/bin/synth.ts'], { cwd: root, env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('must be deployed to ap-south-1');
    expect(run.stderr).toContain('refusing region eu-west-1');
  });
});
