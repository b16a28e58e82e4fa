import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_ROLE_NAME, BREAK_GLASS_ROLE_NAME, DRILL_ROLE_NAME, TASK_ROLE_NAME } from '../lib/roles.js';
import { actionsOf, logicalId, pointsTo, resourcesOf, roleStatements, synthesizeAll, type Json, type Statement, type Synthesized } from './support.js';

let all: Synthesized;
let app: Template;
let keys: Template;
let storage: Template;

beforeAll(() => {
  all = synthesizeAll();
  app = all.templates['BizlumoHr-App']!;
  keys = all.templates['BizlumoHr-Keys']!;
  storage = all.templates['BizlumoHr-Storage']!;
});

const roleArn = (name: string) => ({ 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, `:role/${name}`]] });
const keyPolicy = (construct: IConstruct) => (keys.toJSON().Resources[logicalId(construct)].Properties.KeyPolicy as Json).Statement as Statement[];
/** Key policies name roles by `aws:PrincipalArn` (they may not exist when the key is created). */
const principalsOf = (s: Statement) => [((s.Condition?.ArnEquals ?? {}) as Json)['aws:PrincipalArn']].flat();
const allows = (statements: Statement[], action: string) =>
  statements.filter(
    (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a === action || a === 'kms:*' || (a.endsWith('*') && action.startsWith(a.slice(0, -1)))),
  );
const container = (construct: IConstruct) =>
  (app.toJSON().Resources[logicalId(construct)].Properties.ContainerDefinitions as Json[]).find((c) => c.Essential !== false)!;
const envOf = (c: Json) => Object.fromEntries((c.Environment as Json[]).map((e) => [e.Name, e.Value]));
const bucketStatements = () =>
  resourcesOf(storage, 'AWS::S3::BucketPolicy')
    .filter(([, p]) => (p.Bucket as Json).Ref === logicalId(all.infra.storage.bucket))
    .flatMap(([, p]) => (p.PolicyDocument as Json).Statement as Statement[]);

describe('logical backup key (issue 16, item 18)', () => {
  it('is its own key: the backup role encrypts with the logical-backup purpose, only the drill role and break-glass decrypt', () => {
    const statements = keyPolicy(all.infra.keys.logicalBackupKey);
    const encrypt = allows(statements, 'kms:GenerateDataKey');
    expect(encrypt.flatMap(principalsOf)).toEqual([roleArn(BACKUP_ROLE_NAME)]);
    expect(encrypt[0]!.Condition).toMatchObject({ StringEquals: { 'kms:EncryptionContext:purpose': 'logical-backup' } });
    const decrypt = allows(statements, 'kms:Decrypt');
    expect(decrypt.flatMap(principalsOf)).toEqual(expect.arrayContaining([roleArn(DRILL_ROLE_NAME), roleArn(BREAK_GLASS_ROLE_NAME)]));
    expect(decrypt.flatMap(principalsOf)).toHaveLength(2);
    const deny = statements.find((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes(TASK_ROLE_NAME));
    expect(deny && actionsOf(deny)).toEqual(['kms:*']);
  });

  it('is handed to the backup and drill tasks as BACKUP_KMS_KEY_ID, never to the web task or its role', () => {
    for (const task of [all.infra.appStack.tasks.backup, all.infra.appStack.tasks.drill]) {
      expect(pointsTo(envOf(container(task.taskDefinition)).BACKUP_KMS_KEY_ID, all.infra.keys.logicalBackupKey, 'BizlumoHr-App', all)).toBe(true);
    }
    for (const s of roleStatements(app, logicalId(all.infra.appStack.taskRole))) {
      expect(pointsTo(s.Resource, all.infra.keys.logicalBackupKey, 'BizlumoHr-App', all)).toBe(false);
    }
  });

  it('lets only the backup role (and break-glass) write or delete under platform/backups/', () => {
    const deny = bucketStatements().find((s) => s.Effect === 'Deny' && JSON.stringify(s.Resource).includes('/platform/backups/*'));
    expect(actionsOf(deny!).sort()).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject', 's3:PutObjectRetention']);
    expect(deny!.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [roleArn(BACKUP_ROLE_NAME), roleArn(BREAK_GLASS_ROLE_NAME)] } });
    const web = roleStatements(app, logicalId(all.infra.appStack.taskRole));
    expect(web).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: expect.arrayContaining(['s3:PutObject', 's3:DeleteObject']) }));
  });
});

describe('retention (issue 16, item 20)', () => {
  it('enables object lock on the app bucket and lets nobody but break-glass bypass governance retention', () => {
    const bucket = storage.toJSON().Resources[logicalId(all.infra.storage.bucket)].Properties as Json;
    expect(bucket.ObjectLockEnabled).toBe(true);
    const deny = bucketStatements().find((s) => s.Effect === 'Deny' && actionsOf(s).includes('s3:BypassGovernanceRetention'));
    expect(deny!.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': roleArn(BREAK_GLASS_ROLE_NAME) } });
    const holders = Object.values(all.templates).flatMap((template) =>
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
        resourcesOf(template, type)
          .filter(([, p]) => JSON.stringify(p.PolicyDocument).includes('BypassGovernanceRetention'))
          .flatMap(([, p]) => (p.Roles ?? []) as Json[]),
      ),
    );
    expect(holders).toEqual([{ Ref: logicalId(all.infra.storage.operators.breakGlass) }]);
  });

  it('expires logical backups after 35 days as a backstop to the 30-day prune', () => {
    const bucket = storage.toJSON().Resources[logicalId(all.infra.storage.bucket)].Properties as Json;
    expect((bucket.LifecycleConfiguration as Json).Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'platform/backups/', ExpirationInDays: 35, Status: 'Enabled' }),
    );
  });

  it('runs the logical backup daily and the restore drill monthly, each as a scheduled task with its own role', () => {
    const backup = all.infra.appStack.tasks.backup;
    const drill = all.infra.appStack.tasks.drill;
    expect(container(backup.taskDefinition).Command).toEqual(['node', 'dist/cli/backup.js']);
    expect(container(drill.taskDefinition).Command).toEqual(['node', 'dist/cli/drill-restore.js']);
    const schedules = resourcesOf(app, 'AWS::Events::Rule').filter(([, p]) => p.ScheduleExpression !== undefined);
    const scheduleOf = (task: typeof backup) =>
      schedules.find(([, p]) =>
        (p.Targets as Json[]).some((t) => pointsTo((t.EcsParameters as Json | undefined)?.TaskDefinitionArn, task.taskDefinition, 'BizlumoHr-App', all)),
      )?.[1].ScheduleExpression;
    expect(scheduleOf(backup)).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    expect(scheduleOf(drill)).toMatch(/^cron\(\d+ \d+ 1 \* \? \*\)$/);
    const roleNames = [backup, drill].map((t) => (app.toJSON().Resources[logicalId(t.taskDefinition.taskRole)].Properties as Json).RoleName);
    expect(roleNames).toEqual([BACKUP_ROLE_NAME, DRILL_ROLE_NAME]);
  });
});
