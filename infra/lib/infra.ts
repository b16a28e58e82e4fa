import { App, Tags, Validations, type Environment } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AlarmsStack } from './alarms.js';
import { AppStack } from './app.js';
import { DatabaseStack } from './database.js';
import { DrVaultStack } from './dr.js';
import { EdgeGlobalStack, EdgeStack } from './edge.js';
import { GuardrailsPlugin } from './guardrails.js';
import { KeysStack } from './keys.js';
import { NetworkStack } from './network.js';
import { DR_REGION, GLOBAL_EDGE_REGION, PRIMARY_REGION, assertRegion } from './region.js';
import { StorageStack } from './storage.js';

export interface InfraProps {
  /** The region for every stack with customer data. Anything but ap-south-1 is refused. */
  region?: string;
  /** Where backups are copied for a region-level recovery. Anything but ap-south-2 is refused. */
  drRegion?: string;
  /** AWS account id; omitted, the templates are account-agnostic (the account deploying them). */
  account?: string;
  /** The public zone; the app is served at app.<domain>, assets at static.<domain>. */
  domainName?: string;
  /** Where the cloud assembly is written; omitted, a temporary directory (tests). */
  outdir?: string;
  /** Extra context (tests use it to flip feature flags). */
  context?: Record<string, unknown>;
}

export interface Infra {
  app: App;
  keys: KeysStack;
  network: NetworkStack;
  storage: StorageStack;
  database: DatabaseStack;
  drVault: DrVaultStack;
  edgeGlobal: EdgeGlobalStack;
  appStack: AppStack;
  edge: EdgeStack;
  alarms: AlarmsStack;
}

/** CloudTrail-grade retention for app, flow and database logs: the DPDP Rules ask for one year. */
const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * The whole production estate as one CDK app. Offline and credential-free: no context look-ups,
 * explicit availability zones, the image chosen by a CloudFormation parameter (no Docker at synth).
 *
 * Synthesis runs CDK's built-in CloudFormation validation with findings treated as errors (the
 * `validateAgainstDefaultRules` flag, and strict mode so warnings count too) plus our guardrails
 * plugin; both write to `<outdir>/validation-report.json`, and any finding makes synthesis throw.
 */
export function buildInfra(props: InfraProps = {}): Infra {
  const region = assertRegion('primary', props.region ?? PRIMARY_REGION);
  const drRegion = assertRegion('dr', props.drRegion ?? DR_REGION);
  const domainName = props.domainName ?? 'bizlumo.in';

  const app = new App({
    outdir: props.outdir,
    analyticsReporting: false,
    context: {
      // What `cdk init` would write to cdk.json for this aws-cdk-lib version (pinned by package-lock.json).
      ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
      [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true,
      [cxapi.STRICT_CFN_VALIDATE_ERRORS]: true,
      [cxapi.ANNOTATIONS_IN_VALIDATION_REPORT]: true,
      ...props.context,
    },
  });
  Validations.of(app).addPlugins(new GuardrailsPlugin());
  Tags.of(app).add('app', 'bizlumo-hr');

  const env = (r: string): Environment => ({ account: props.account, region: r });
  const primary = env(region);
  const stateful = { terminationProtection: true };

  const keys = new KeysStack(app, 'BizlumoHr-Keys', { env: primary, ...stateful, description: 'Bizlumo HR: customer-managed KMS keys' });
  const network = new NetworkStack(app, 'BizlumoHr-Network', {
    env: primary,
    description: 'Bizlumo HR: VPC over three zones, private subnets, VPC endpoints',
    logsKey: keys.logsKey,
    logRetention: LOG_RETENTION,
  });
  const storage = new StorageStack(app, 'BizlumoHr-Storage', {
    env: primary,
    ...stateful,
    description: 'Bizlumo HR: S3 bucket (SSE-KMS), access logs, image repository, app secrets',
    storageKey: keys.storageKey,
    allKeys: [keys.databaseKey, keys.fieldKey, keys.storageKey, keys.logsKey, keys.backupKey, keys.logicalBackupKey],
    breakGlassKeys: [keys.fieldKey, keys.logicalBackupKey, keys.storageKey],
    drRegion,
  });
  const drVault = new DrVaultStack(app, 'BizlumoHr-DrVault', {
    env: env(drRegion),
    ...stateful,
    description: 'Bizlumo HR: disaster-recovery backup vault and field-key replica (copy target only)',
    fieldKey: keys.fieldKey,
  });
  const database = new DatabaseStack(app, 'BizlumoHr-Database', {
    env: primary,
    ...stateful,
    description: 'Bizlumo HR: RDS MySQL 8.4 Multi-AZ and its backups',
    vpc: network.vpc,
    databaseKey: keys.databaseKey,
    backupKey: keys.backupKey,
    logsKey: keys.logsKey,
    logRetention: LOG_RETENTION,
    drRegion,
  });
  database.addStackDependency(drVault, 'backup copies go to the DR vault');
  storage.addStackDependency(drVault, 'the app bucket replicates to the DR bucket');

  const edgeGlobal = new EdgeGlobalStack(app, 'BizlumoHr-EdgeGlobal', {
    env: env(assertRegion('global-edge', GLOBAL_EDGE_REGION)),
    ...stateful,
    description: 'Bizlumo HR: Route 53 zone with DNSSEC and the CloudFront certificate (us-east-1 by AWS requirement)',
    domainName,
  });
  const appStack = new AppStack(app, 'BizlumoHr-App', {
    env: primary,
    description: 'Bizlumo HR: ECS Fargate service behind an Application Load Balancer',
    domainName,
    zone: edgeGlobal.zone,
    vpc: network.vpc,
    database: database.instance,
    databaseSecurityGroup: database.securityGroup,
    databaseSecret: database.secret,
    runtimeDatabaseSecret: database.runtimeSecret,
    bucket: storage.bucket,
    accessLogsBucket: storage.accessLogsBucket,
    repository: storage.repository,
    appSecret: storage.appSecret,
    storageKey: keys.storageKey,
    fieldKey: keys.fieldKey,
    logicalBackupKey: keys.logicalBackupKey,
    logsKey: keys.logsKey,
    logRetention: LOG_RETENTION,
  });
  const edge = new EdgeStack(app, 'BizlumoHr-Edge', {
    env: primary,
    description: 'Bizlumo HR: CloudFront for /public assets',
    domainName,
    zone: edgeGlobal.zone,
    staticCertificate: edgeGlobal.staticCertificate,
    accessLogsBucket: storage.accessLogsBucket,
  });
  const alarms = new AlarmsStack(app, 'BizlumoHr-Alarms', {
    env: primary,
    description: 'Bizlumo HR: CloudWatch alarms to the paging topic',
    loadBalancer: appStack.loadBalancer,
    targetGroup: appStack.targetGroup,
    database: database.instance,
    appLogGroup: appStack.logGroup,
    bucket: storage.bucket,
    storageKey: keys.storageKey,
    logsKey: keys.logsKey,
    logRetention: LOG_RETENTION,
  });

  return { app, keys, network, storage, database, drVault, edgeGlobal, appStack, edge, alarms };
}
