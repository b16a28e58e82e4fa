import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, pointsTo, resourcesOf, synthesizeAll, type Json, type Synthesized } from './support.js';

let all: Synthesized;
let edge: Template;
let edgeGlobal: Template;
let alarms: Template;

beforeAll(() => {
  all = synthesizeAll();
  edge = all.templates['BizlumoHr-Edge']!;
  edgeGlobal = all.templates['BizlumoHr-EdgeGlobal']!;
  alarms = all.templates['BizlumoHr-Alarms']!;
});

describe('edge: CloudFront for /public assets', () => {
  it('requires TLSv1.2_2021 or better from viewers, with our certificate from us-east-1', () => {
    const [[, distribution]] = resourcesOf(edge, 'AWS::CloudFront::Distribution') as [[string, Json]];
    const config = distribution.DistributionConfig as Json;
    const certificate = config.ViewerCertificate as Json;
    expect(certificate.MinimumProtocolVersion).toBe('TLSv1.2_2021');
    expect(certificate.SslSupportMethod).toBe('sni-only');
    expect(pointsTo(certificate.AcmCertificateArn, all.infra.edgeGlobal.staticCertificate, 'BizlumoHr-Edge', all)).toBe(true);
    expect(config.Aliases).toEqual(['static.bizlumo.in']);
    expect((config.DefaultCacheBehavior as Json).ViewerProtocolPolicy).toBe('redirect-to-https');
    expect((config.DefaultCacheBehavior as Json).AllowedMethods).toEqual(['GET', 'HEAD']);
  });

  it('reads a private bucket through origin access control only', () => {
    const [[oacId]] = resourcesOf(edge, 'AWS::CloudFront::OriginAccessControl') as [[string, Json]];
    edge.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
    const [[, distribution]] = resourcesOf(edge, 'AWS::CloudFront::Distribution') as [[string, Json]];
    const origins = (distribution.DistributionConfig as Json).Origins as Json[];
    expect(origins).toHaveLength(1);
    expect(origins[0]!.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(origins[0]!.DomainName).toEqual({ 'Fn::GetAtt': [logicalId(all.infra.edge.assetsBucket), 'RegionalDomainName'] });

    edge.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    edge.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('signs the Route 53 zone with DNSSEC using an ECC KMS key in us-east-1', () => {
    expect(all.infra.edgeGlobal.region).toBe('us-east-1');
    const keyId = logicalId(all.infra.edgeGlobal.dnssecKey);
    const zoneId = logicalId(all.infra.edgeGlobal.zone);
    edgeGlobal.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'dnssec-route53.amazonaws.com' }, Action: ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign'] }),
        ]),
      },
    });
    edgeGlobal.hasResourceProperties('AWS::Route53::KeySigningKey', {
      HostedZoneId: { Ref: zoneId },
      KeyManagementServiceArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Status: 'ACTIVE',
    });
    edgeGlobal.hasResource('AWS::Route53::DNSSEC', {
      Properties: { HostedZoneId: { Ref: zoneId } },
      DependsOn: [Match.stringLikeRegexp('KeySigningKey')],
    });
    edgeGlobal.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'bizlumo.in.' });
  });

  it('points static.<domain> at CloudFront and app.<domain> at the load balancer', () => {
    edge.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'static.bizlumo.in.',
      Type: 'A',
      AliasTarget: Match.objectLike({ DNSName: { 'Fn::GetAtt': [logicalId(all.infra.edge.distribution), 'DomainName'] } }),
    });
    all.templates['BizlumoHr-App']!.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'app.bizlumo.in.', Type: 'A' });
  });
});

describe('alarms', () => {
  const metricNames = (alarm: Json): string[] =>
    alarm.MetricName
      ? [alarm.MetricName as string]
      : ((alarm.Metrics ?? []) as Json[]).flatMap((m) => (((m.MetricStat as Json | undefined)?.Metric as Json | undefined)?.MetricName as string) ?? []);

  it('notifies an encrypted SNS topic with an HTTPS subscription from a parameter', () => {
    alarms.hasParameter('PagingWebhookUrl', { Type: 'String', AllowedPattern: '^https://.+', NoEcho: true });
    alarms.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: { Ref: 'PagingWebhookUrl' } });
    const [[, topic]] = resourcesOf(alarms, 'AWS::SNS::Topic') as [[string, Json]];
    expect(topic.KmsMasterKeyId).toBeDefined();
    const topicId = logicalId(all.infra.alarms.topic);
    const alarmResources = resourcesOf(alarms, 'AWS::CloudWatch::Alarm');
    expect(alarmResources.length).toBeGreaterThanOrEqual(8);
    for (const [, alarm] of alarmResources) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it.each([
    ['5xx rate', 'HTTPCode_Target_5XX_Count'],
    ['5xx rate at the load balancer', 'HTTPCode_ELB_5XX_Count'],
    ['latency', 'TargetResponseTime'],
    ['unhealthy hosts', 'UnHealthyHostCount'],
    ['database CPU', 'CPUUtilization'],
    ['database storage', 'FreeStorageSpace'],
    ['replica lag', 'ReplicaLag'],
    ['app alert lines', 'AppAlerts'],
  ])('alarms on %s (%s)', (_what, metric) => {
    const matching = resourcesOf(alarms, 'AWS::CloudWatch::Alarm').filter(([, a]) => metricNames(a).includes(metric));
    expect(matching).toHaveLength(1);
  });

  it('watches the right load balancer and database', () => {
    const [[, cpu]] = resourcesOf(alarms, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.MetricName === 'CPUUtilization') as [[string, Json]];
    expect(cpu.Namespace).toBe('AWS/RDS');
    expect(cpu.Threshold).toBe(80);
    const dimension = (cpu.Dimensions as Json[])[0]!;
    expect(dimension.Name).toBe('DBInstanceIdentifier');
    expect(pointsTo(dimension.Value, all.infra.database.instance, 'BizlumoHr-Alarms', all)).toBe(true);

    const [[, latency]] = resourcesOf(alarms, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.MetricName === 'TargetResponseTime') as [[string, Json]];
    expect(latency.ExtendedStatistic).toBe('p99');
    expect(latency.Threshold).toBe(2);
  });

  it('counts the app\'s {"alert": …} log lines with a metric filter', () => {
    alarms.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.alert = "*" }',
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'BizlumoHR', MetricName: 'AppAlerts', MetricValue: '1' })],
    });
    const [[, filter]] = resourcesOf(alarms, 'AWS::Logs::MetricFilter') as [[string, Json]];
    expect(pointsTo(filter.LogGroupName, all.infra.appStack.logGroup, 'BizlumoHr-Alarms', all)).toBe(true);
    alarms.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AppAlerts',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });
});
