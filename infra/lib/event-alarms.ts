import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** EventBridge writes only to log groups under this prefix. */
const EVENT_LOG_PREFIX = '/aws/events/bizlumo-hr';

export interface EventRecorderProps {
  logsKey: kms.IKey;
  retention: logs.RetentionDays;
  namespace: string;
}

/**
 * Turns EventBridge events (CloudTrail API calls, AWS Backup job changes) into countable metrics: each kind
 * goes to its own encrypted log group (the evidence, kept like the other logs) and a metric filter counts
 * it, so an ordinary CloudWatch alarm pages and later returns to OK. Rules written by hand, not with the
 * CloudWatchLogGroup target, which installs a Lambda custom resource for the log resource policy.
 */
export class EventRecorder extends Construct {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: EventRecorderProps,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    new logs.CfnResourcePolicy(this, 'EventsMayWrite', {
      policyName: 'bizlumo-hr-events-to-logs',
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              resourceName: `${EVENT_LOG_PREFIX}/*`,
            }),
          },
        ],
      }),
    });
  }

  /** Records every event matching `pattern` and returns the count of them per `period`. */
  record(id: string, pattern: events.EventPattern, description: string): cloudwatch.Metric {
    const stack = Stack.of(this);
    const name = `${EVENT_LOG_PREFIX}/${id.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())}`;
    const logGroup = new logs.LogGroup(this, `${id}Log`, {
      logGroupName: name,
      retention: this.props.retention,
      encryptionKey: this.props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const arn = stack.formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: name });
    const rule = new events.Rule(this, id, { description, eventPattern: pattern, targets: [{ bind: () => ({ arn }) }] });
    rule.node.addDependency(logGroup);
    const filter = new logs.MetricFilter(this, `${id}Count`, {
      logGroup,
      filterPattern: logs.FilterPattern.allEvents(),
      metricNamespace: this.props.namespace,
      metricName: id,
      metricValue: '1',
      defaultValue: 0,
    });
    return filter.metric({ statistic: 'Sum', period: Duration.minutes(5) });
  }
}

export interface DrillAgeCheckProps {
  bucket: s3.IBucket;
  storageKey: kms.IKey;
  logsKey: kms.IKey;
  retention: logs.RetentionDays;
  namespace: string;
  metricName: string;
  /** Where drill reports are (src/platform/backup/drill.ts: platform namespace, drills/<id>.json). */
  reportPrefix: string;
}

/** Reported when there is no passing drill at all: any value above the alarm threshold would do. */
const NO_PASSING_DRILL_DAYS = 9999;

/**
 * Days since the newest passing restore drill, published every 6 hours. CloudWatch cannot alarm on "no
 * data for 35 days" (an alarm looks at 7 days of data at most), so the age is measured: the newest drill
 * report with `result: "pass"` in the bucket (drill ids sort by time) is the last success. A stopped
 * checker publishes nothing, and the alarm treats that as breaching too.
 */
export class DrillAgeCheck extends Construct {
  readonly metric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: DrillAgeCheckProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fn = new lambda.Function(this, 'Function', {
      description: 'Bizlumo HR: publishes the age of the newest passing restore drill',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(CHECK_SOURCE),
      timeout: Duration.minutes(1),
      memorySize: 256,
      environment: {
        BUCKET: props.bucket.bucketName,
        PREFIX: props.reportPrefix,
        NAMESPACE: props.namespace,
        METRIC: props.metricName,
        NO_PASSING_DRILL_DAYS: String(NO_PASSING_DRILL_DAYS),
      },
      logGroup: new logs.LogGroup(this, 'Logs', { retention: props.retention, encryptionKey: props.logsKey, removalPolicy: RemovalPolicy.DESTROY }),
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${props.reportPrefix}*`)] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${props.reportPrefix}*` } },
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.storageKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': props.namespace } },
      }),
    );
    new events.Rule(this, 'Every6Hours', { schedule: events.Schedule.rate(Duration.hours(6)), targets: [new targets.LambdaFunction(fn)] });
    this.metric = new cloudwatch.Metric({ namespace: props.namespace, metricName: props.metricName, statistic: 'Maximum', period: Duration.days(1) });
  }
}

const CHECK_SOURCE = `
const { S3Client, ListObjectsV2Command, GetObjectCommand } = require('@aws-sdk/client-s3');
const { CloudWatchClient, PutMetricDataCommand } = require('@aws-sdk/client-cloudwatch');
const s3 = new S3Client({});
const cloudwatch = new CloudWatchClient({});
const { BUCKET, PREFIX, NAMESPACE, METRIC, NO_PASSING_DRILL_DAYS } = process.env;
exports.handler = async () => {
  const keys = [];
  let token;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, ContinuationToken: token }));
    for (const item of page.Contents ?? []) if (item.Key.endsWith('.json')) keys.push(item.Key);
    token = page.NextContinuationToken;
  } while (token);
  keys.sort().reverse();
  let passedAt;
  for (const key of keys.slice(0, 50)) {
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const report = JSON.parse(await object.Body.transformToString());
    if (report.kind === 'restore-drill' && report.result === 'pass') { passedAt = Date.parse(report.finishedAt); break; }
  }
  const days = passedAt === undefined ? Number(NO_PASSING_DRILL_DAYS) : (Date.now() - passedAt) / 86400000;
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: [{ MetricName: METRIC, Value: days, Unit: 'None' }] }));
  return { days };
};
`;
