import { Stack, CfnParameter, Duration, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { MIN_TASKS } from './app.js';

export interface AlarmsStackProps extends StackProps {
  loadBalancer: elbv2.IApplicationLoadBalancer;
  targetGroup: elbv2.IApplicationTargetGroup;
  database: rds.IDatabaseInstance;
  appLogGroup: logs.ILogGroup;
}

export const ALERT_METRIC = { namespace: 'BizlumoHR', metricName: 'AppAlerts' } as const;

/**
 * What pages a human: the load balancer (errors, latency, unhealthy tasks), the database (CPU, storage,
 * replica lag) and the app's own `alert()` lines (failed logins, decryption failures, unusual exports).
 * Every alarm notifies one SNS topic; the paging service subscribes over HTTPS (URL given at deploy).
 */
export class AlarmsStack extends Stack {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsStackProps) {
    super(scope, id, props);

    const pagingUrl = new CfnParameter(this, 'PagingWebhookUrl', {
      type: 'String',
      description: 'HTTPS endpoint of the paging service (PagerDuty/Opsgenie SNS integration URL)',
      allowedPattern: '^https://.+',
      constraintDescription: 'must be an https:// URL',
      noEcho: true,
    });

    // CloudWatch publishes to an encrypted topic only if the key policy lets it.
    const topicKey = new kms.Key(this, 'TopicKey', {
      alias: 'alias/bizlumo-hr/alarms',
      description: 'Bizlumo HR: alarm topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Alarms', { topicName: 'bizlumo-hr-alarms', masterKey: topicKey, enforceSSL: true });
    this.topic.addSubscription(new subscriptions.UrlSubscription(pagingUrl.valueAsString, { protocol: sns.SubscriptionProtocol.HTTPS }));

    const alb = props.loadBalancer.metrics;
    const tg = props.targetGroup.metrics;
    const oneMinute = { period: Duration.minutes(1) };

    this.alarm('Http5xxRate', 'More than 5% of requests answered 5xx (app or load balancer)', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)',
        usingMetrics: {
          requests: alb.requestCount({ ...oneMinute, statistic: 'Sum' }),
          target5xx: alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { ...oneMinute, statistic: 'Sum' }),
          elb5xx: alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { ...oneMinute, statistic: 'Sum' }),
        },
        period: Duration.minutes(1),
        label: '5xx %',
      }),
      threshold: 5,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });

    this.alarm('LatencyP99', 'p99 response time above 2 s for 5 minutes', {
      metric: tg.targetResponseTime({ ...oneMinute, statistic: 'p99' }),
      threshold: 2,
      evaluationPeriods: 5,
    });

    this.alarm('UnhealthyHosts', 'A task is failing the /readyz health check', {
      metric: tg.unhealthyHostCount({ ...oneMinute, statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
    });

    this.alarm('HealthyHostsBelowMinimum', `Fewer than ${MIN_TASKS} healthy tasks`, {
      metric: tg.healthyHostCount({ ...oneMinute, statistic: 'Minimum' }),
      threshold: MIN_TASKS,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    const db = props.database;
    this.alarm('DatabaseCpu', 'Database CPU above 80% for 15 minutes', {
      metric: db.metricCPUUtilization({ period: Duration.minutes(5), statistic: 'Average' }),
      threshold: 80,
      evaluationPeriods: 3,
    });

    this.alarm('DatabaseFreeStorage', 'Database free storage below 10 GiB', {
      metric: db.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }),
      threshold: 10 * 1024 ** 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });

    // A Multi-AZ standby replicates synchronously and publishes no ReplicaLag; the metric appears once a
    // read replica exists (or during a restore drill from a replica), hence "missing = not breaching".
    this.alarm('DatabaseReplicaLag', 'Database replica more than 60 s behind', {
      metric: db.metric('ReplicaLag', { period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 60,
      evaluationPeriods: 5,
    });

    // src/platform/observability/alert.ts writes one JSON line per alert: {"alert": "<kind>", ...}.
    const filter = new logs.MetricFilter(this, 'AppAlertFilter', {
      logGroup: props.appLogGroup,
      filterPattern: logs.FilterPattern.exists('$.alert'),
      metricNamespace: ALERT_METRIC.namespace,
      metricName: ALERT_METRIC.metricName,
      metricValue: '1',
      defaultValue: 0,
    });
    this.alarm('AppAlert', 'The app raised an alert (see the log lines with an "alert" field)', {
      metric: filter.metric({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
  }

  private alarm(id: string, description: string, props: Omit<cloudwatch.AlarmProps, 'alarmDescription'>): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `bizlumo-hr-${id}`,
      alarmDescription: description,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    return alarm;
  }
}
