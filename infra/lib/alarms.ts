import { Stack, CfnParameter, Duration, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { accountKeyPolicy } from './key-policy.js';
import { MIN_TASKS } from './app.js';
import { DrillAgeCheck, EventRecorder } from './event-alarms.js';
import { BREAK_GLASS_ROLE_NAME } from './roles.js';
import { DRILL_REPORT_PREFIX } from './storage.js';
import { REPLICATION_RULE_ID, drBucketName } from './replication.js';

export interface AlarmsStackProps extends StackProps {
  loadBalancer: elbv2.IApplicationLoadBalancer;
  targetGroup: elbv2.IApplicationTargetGroup;
  database: rds.IDatabaseInstance;
  appLogGroup: logs.ILogGroup;
  /** Where restore drills store their reports (the drill-age check reads them). */
  bucket: s3.IBucket;
  storageKey: kms.IKey;
  logsKey: kms.IKey;
  logRetention: logs.RetentionDays;
}

/** A restore drill runs monthly; one missed or failed drill pages a few days later. */
export const DRILL_MAX_AGE_DAYS = 35;

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
      policy: accountKeyPolicy(),
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

    this.watchKeysBackupsAndDrills(props);
  }

  /**
   * Keys disabled or scheduled for deletion (every ciphertext under them becomes unreadable), a key policy
   * rewritten, break-glass assumed, an AWS Backup job that did not complete, and a restore drill that has
   * not passed for 35 days. KMS and STS calls reach EventBridge through CloudTrail: the account needs a
   * trail logging management events in ap-south-1 (infra/README.md).
   */
  private watchKeysBackupsAndDrills(props: AlarmsStackProps): void {
    const recorder = new EventRecorder(this, 'Events', { logsKey: props.logsKey, retention: props.logRetention, namespace: ALERT_METRIC.namespace });
    const atLeastOnce = { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 1 };
    const keyEvents = recorder.record(
      'KeyEvents',
      {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['kms.amazonaws.com'], eventName: ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DeleteImportedKeyMaterial'] },
      },
      'A KMS key was disabled, scheduled for deletion or had its policy replaced',
    );
    this.alarm('KeyDisabledOrDeleted', 'A KMS key was disabled, scheduled for deletion or had its policy replaced (see /aws/events/bizlumo-hr/key-events)', {
      metric: keyEvents,
      ...atLeastOnce,
    });
    const breakGlass = recorder.record(
      'BreakGlassAssumed',
      {
        source: ['aws.sts'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventName: ['AssumeRole'], requestParameters: { roleArn: [{ suffix: `:role/${BREAK_GLASS_ROLE_NAME}` }] } },
      },
      'Someone assumed the break-glass role',
    );
    this.alarm('BreakGlassAssumed', 'Someone assumed the break-glass role (see /aws/events/bizlumo-hr/break-glass-assumed)', {
      metric: breakGlass,
      ...atLeastOnce,
    });
    const failedBackups = recorder.record(
      'BackupJobFailed',
      { source: ['aws.backup'], detailType: ['Backup Job State Change', 'Copy Job State Change'], detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] } },
      'An AWS Backup or copy job did not complete',
    );
    this.alarm('BackupJobFailed', 'An AWS Backup job or its copy to ap-south-2 failed (see /aws/events/bizlumo-hr/backup-job-failed)', {
      metric: failedBackups,
      ...atLeastOnce,
    });
    // Needs the rule's replication metrics (on, replication.ts). Objects that fail are not retried by S3.
    this.alarm('ReplicationFailed', 'S3 failed to replicate objects of the app bucket to ap-south-2 (re-run them with S3 Batch Replication)', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName: 'OperationsFailedReplication',
        dimensionsMap: { SourceBucket: props.bucket.bucketName, DestinationBucket: drBucketName(this.account), RuleId: REPLICATION_RULE_ID },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      ...atLeastOnce,
    });
    const drillAge = new DrillAgeCheck(this, 'DrillAge', {
      bucket: props.bucket,
      storageKey: props.storageKey,
      logsKey: props.logsKey,
      retention: props.logRetention,
      namespace: ALERT_METRIC.namespace,
      metricName: 'RestoreDrillAgeDays',
      reportPrefix: DRILL_REPORT_PREFIX,
    });
    this.alarm('RestoreDrillTooOld', `No restore drill has passed for ${DRILL_MAX_AGE_DAYS} days (or the drill-age check stopped)`, {
      metric: drillAge.metric,
      threshold: DRILL_MAX_AGE_DAYS,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
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
