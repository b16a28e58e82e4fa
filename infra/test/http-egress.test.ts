import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, pointsTo, resourcesOf, synthesizeAll, type Json, type Synthesized } from './support.js';

let all: Synthesized;
let app: Template;

beforeAll(() => {
  all = synthesizeAll();
  app = all.templates['BizlumoHr-App']!;
});

describe('port 80 (issue 16, item 23)', () => {
  it('refuses /api and /webhooks with 403 instead of redirecting them, like the app does', () => {
    const [[httpId]] = resourcesOf(app, 'AWS::ElasticLoadBalancingV2::Listener').filter(([, p]) => p.Port === 80) as [[string, Json]];
    const rules = resourcesOf(app, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([, p]) => (p.ListenerArn as Json).Ref === httpId);
    const refused = rules.filter(([, p]) =>
      (p.Actions as Json[]).some((a) => a.Type === 'fixed-response' && (a.FixedResponseConfig as Json).StatusCode === '403'),
    );
    const patterns = refused.flatMap(([, p]) => (p.Conditions as Json[]).flatMap((c) => ((c.PathPatternConfig as Json | undefined)?.Values ?? []) as string[]));
    expect(patterns.sort()).toEqual(['/api', '/api/*', '/webhooks', '/webhooks/*']);
  });
});

describe('task egress (issue 16, item 23)', () => {
  const appGroup = () => all.infra.appStack.service.connections.securityGroups[0]!;
  const egress = () => {
    const id = logicalId(appGroup());
    const inline = ((app.toJSON().Resources[id].Properties as Json).SecurityGroupEgress ?? []) as Json[];
    const standalone = resourcesOf(app, 'AWS::EC2::SecurityGroupEgress')
      .filter(([, p]) => (p.GroupId as Json)['Fn::GetAtt'] !== undefined && ((p.GroupId as Json)['Fn::GetAtt'] as string[])[0] === id)
      .map(([, p]) => p);
    return [...inline, ...standalone];
  };

  it('is never open on every port or protocol', () => {
    const rules = egress();
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.IpProtocol).toBe('tcp');
      expect(rule.FromPort).toBe(rule.ToPort);
    }
  });

  it('allows only HTTPS (AWS endpoints, Razorpay), SMTP submission and MySQL to the database security group', () => {
    const rules = egress();
    expect([...new Set(rules.map((r) => r.FromPort))].sort((a, b) => Number(a) - Number(b))).toEqual([443, 465, 587, 3306]);
    const mysql = rules.filter((r) => r.FromPort === 3306);
    expect(mysql).toHaveLength(1);
    expect(mysql[0]!.CidrIp).toBeUndefined();
    expect(pointsTo(mysql[0]!.DestinationSecurityGroupId, all.infra.database.securityGroup, 'BizlumoHr-App', all)).toBe(true);
  });
});
