import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BREAK_GLASS_ROLE_NAME, DRILL_ROLE_NAME, KEY_ADMIN_ROLE_NAME, TASK_ROLE_NAME } from '../lib/roles.js';
import { actionsOf, logicalId, resourcesOf, synthesizeAll, type Json, type Statement, type Synthesized } from './support.js';

let all: Synthesized;
let alarms: Template;

beforeAll(() => {
  all = synthesizeAll();
  alarms = all.templates['BizlumoHr-Alarms']!;
});

const roleArn = (name: string) => ({ 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, `:role/${name}`]] });
const rootArn = { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] };
const keyPolicies = () =>
  Object.entries(all.templates).flatMap(([stackName, template]) =>
    ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'].flatMap((type) =>
      resourcesOf(template, type).map(([id, p]) => ({ where: `${stackName}/${id}`, statements: (p.KeyPolicy as Json).Statement as Statement[] })),
    ),
  );
const principalOf = (s: Statement) => ((s as unknown as Json).Principal as Json | undefined)?.AWS;
const matches = (pattern: string, action: string) => pattern === action || (pattern.endsWith('*') && action.startsWith(pattern.slice(0, -1)));
const allowing = (statements: Statement[], action: string) => statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => matches(a, action)));
const fieldKeyPolicies = () => {
  const keys = all.templates['BizlumoHr-Keys']!.toJSON().Resources;
  const replica = resourcesOf(all.templates['BizlumoHr-DrVault']!, 'AWS::KMS::ReplicaKey')[0]![1];
  return [keys[logicalId(all.infra.keys.fieldKey)].Properties.KeyPolicy, replica.KeyPolicy].map((p) => (p as Json).Statement as Statement[]);
};

describe('key policies (issue 16, item 22)', () => {
  it('give no one kms:* on any key, in any stack', () => {
    const policies = keyPolicies();
    expect(policies.length).toBeGreaterThanOrEqual(10);
    for (const { where, statements } of policies) {
      for (const s of statements.filter((s) => s.Effect === 'Allow')) expect(actionsOf(s), where).not.toContain('kms:*');
    }
  });

  it('let the account root administer keys but never decrypt with the field key or grant itself use of it', () => {
    for (const statements of fieldKeyPolicies()) {
      const root = statements.filter((s) => s.Effect === 'Allow' && JSON.stringify(principalOf(s)) === JSON.stringify(rootArn) && s.Condition === undefined);
      expect(root.length).toBe(1);
      for (const action of ['kms:Decrypt', 'kms:CreateGrant', 'kms:ReEncryptFrom', 'kms:GenerateDataKey']) {
        expect(
          actionsOf(root[0]!).some((a) => matches(a, action)),
          action,
        ).toBe(false);
      }
      expect(actionsOf(root[0]!)).toEqual(expect.arrayContaining(['kms:DisableKey'.replace('DisableKey', 'Disable*'), 'kms:ScheduleKeyDeletion', 'kms:Put*']));
    }
  });

  it('let only the task role, the restore drill and the named break-glass role decrypt with the field key (and its replica)', () => {
    for (const statements of fieldKeyPolicies()) {
      const decrypt = allowing(statements, 'kms:Decrypt');
      const arns = decrypt.flatMap((s) => [((s.Condition?.ArnEquals ?? {}) as Json)['aws:PrincipalArn']].flat());
      expect(decrypt.every((s) => s.Condition?.ArnEquals !== undefined)).toBe(true);
      expect(arns).toHaveLength(3);
      expect(arns).toEqual(expect.arrayContaining([roleArn(TASK_ROLE_NAME), roleArn(DRILL_ROLE_NAME), roleArn(BREAK_GLASS_ROLE_NAME)]));
    }
  });

  it('has a named key-admin role and a break-glass role that people assume only with MFA', () => {
    const storage = all.templates['BizlumoHr-Storage']!;
    for (const name of [KEY_ADMIN_ROLE_NAME, BREAK_GLASS_ROLE_NAME]) {
      const [[, role]] = resourcesOf(storage, 'AWS::IAM::Role').filter(([, p]) => p.RoleName === name) as [[string, Json]];
      const [trust] = (role.AssumeRolePolicyDocument as Json).Statement as Json[];
      expect(trust!.Condition).toMatchObject({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
      expect(role.MaxSessionDuration).toBe(3600);
    }
  });
});

describe('alarms on keys, backups and drills (issue 16, item 22)', () => {
  const rules = () => resourcesOf(alarms, 'AWS::Events::Rule').map(([id, p]) => ({ id, pattern: p.EventPattern as Json | undefined, p }));
  const alarmsOnMetric = (metricName: string) =>
    resourcesOf(alarms, 'AWS::CloudWatch::Alarm')
      .filter(([, p]) => p.MetricName === metricName)
      .map(([, p]) => p);
  const filterFeeding = (ruleId: string) => {
    const rule = rules().find((r) => r.id === ruleId)!;
    const targetArn = JSON.stringify(((rule.p.Targets as Json[])[0] as Json).Arn);
    const resources = alarms.toJSON().Resources as Record<string, { Properties?: Json }>;
    // The rule's target is the log group's ARN, built from its name: find the filter reading that group.
    // (A filter whose group is not a Ref in this stack, like the app-alert filter, can never match.)
    return resourcesOf(alarms, 'AWS::Logs::MetricFilter').find(([, f]) => {
      const ref = (f.LogGroupName as Json).Ref;
      const name = typeof ref === 'string' ? resources[ref]?.Properties?.LogGroupName : undefined;
      return typeof name === 'string' && targetArn.includes(`:log-group:${name}"`);
    })?.[1];
  };

  it('page when a key is disabled or scheduled for deletion (CloudTrail through EventBridge)', () => {
    const rule = rules().find((r) => JSON.stringify(r.pattern).includes('ScheduleKeyDeletion'))!;
    expect(rule.pattern).toMatchObject({ source: ['aws.kms'], 'detail-type': ['AWS API Call via CloudTrail'] });
    expect((rule.pattern!.detail as Json).eventName).toEqual(expect.arrayContaining(['DisableKey', 'ScheduleKeyDeletion']));
    const filter = filterFeeding(rule.id)!;
    const metricName = ((filter.MetricTransformations as Json[])[0] as Json).MetricName as string;
    expect(metricName).toBe('KeyEvents');
    const [alarm] = alarmsOnMetric(metricName);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Sum' });
  });

  it('page when an AWS Backup job fails', () => {
    const rule = rules().find((r) => JSON.stringify(r.pattern).includes('Backup Job State Change'))!;
    expect(rule.pattern).toMatchObject({ source: ['aws.backup'], detail: { state: expect.arrayContaining(['FAILED', 'ABORTED', 'EXPIRED']) } });
    const filter = filterFeeding(rule.id)!;
    const metricName = ((filter.MetricTransformations as Json[])[0] as Json).MetricName as string;
    expect(metricName).toBe('BackupJobFailed');
    expect(alarmsOnMetric(metricName)).toHaveLength(1);
  });

  it('page when the newest passing restore drill is older than 35 days, or when nobody measures it', () => {
    const [alarm] = alarmsOnMetric('RestoreDrillAgeDays');
    // CloudWatch evaluates at most 7 days of data, so the age is measured (by a scheduled check) rather than
    // inferred from 35 days without a datapoint.
    expect(alarm).toMatchObject({
      Namespace: 'BizlumoHR',
      Threshold: 35,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      Period: 86400,
      EvaluationPeriods: 1,
    });
    expect(Number(alarm!.Period) * Number(alarm!.EvaluationPeriods)).toBeLessThanOrEqual(7 * 86400);
    const [[checkId]] = resourcesOf(alarms, 'AWS::Lambda::Function') as [[string, Json]];
    const schedule = rules().find((r) => JSON.stringify(r.p.Targets).includes(checkId))!;
    expect(schedule.p.ScheduleExpression).toBe('rate(6 hours)');
  });
});
