import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, pointsTo, resourcesOf, roleStatements, synthesizeAll, type Json, type Synthesized } from './support.js';

let all: Synthesized;
let app: Template;
let database: Template;

beforeAll(() => {
  all = synthesizeAll();
  app = all.templates['BizlumoHr-App']!;
  database = all.templates['BizlumoHr-Database']!;
});

const taskDefinition = (construct: IConstruct) => app.toJSON().Resources[logicalId(construct)].Properties as Json;
const container = (construct: IConstruct, name: string) => (taskDefinition(construct).ContainerDefinitions as Json[]).find((c) => c.Name === name)!;
const secretsOf = (c: Json) => Object.fromEntries((c.Secrets as Json[]).map((s) => [s.Name, s.ValueFrom]));
const envOf = (c: Json) => Object.fromEntries((c.Environment as Json[]).map((e) => [e.Name, e.Value]));
const executionRoleId = (construct: IConstruct) => ((taskDefinition(construct).ExecutionRoleArn as Json)['Fn::GetAtt'] as string[])[0]!;

describe('database users (issue 16, item 21)', () => {
  it('gives the web tasks the least-privileged runtime user, never the master', () => {
    const secrets = secretsOf(container(all.infra.appStack.taskDefinition, 'App'));
    for (const field of ['DB_USER', 'DB_PASSWORD']) {
      expect(pointsTo(secrets[field], all.infra.database.runtimeSecret, 'BizlumoHr-App', all)).toBe(true);
      expect(pointsTo(secrets[field], all.infra.database.secret, 'BizlumoHr-App', all)).toBe(false);
    }
    const runtime = database.toJSON().Resources[logicalId(all.infra.database.node.findChild('RuntimeSecret'))].Properties as Json;
    expect(runtime.Name).toBe('bizlumo-hr/database-runtime');
    // The multi-user rotation logs in as the master (masterarn) to set the alternate user's password.
    const template = JSON.stringify((runtime.GenerateSecretString as Json).SecretStringTemplate);
    expect(template).toContain('\\"username\\":\\"bizlumo_app\\"');
    expect(template).toContain('masterarn');
  });

  it('rotates the runtime user with alternating users, so the password a running task holds stays valid', () => {
    const [schedule] = resourcesOf(database, 'AWS::SecretsManager::RotationSchedule').filter(([, p]) =>
      pointsTo(p.SecretId, all.infra.database.runtimeSecret, 'BizlumoHr-Database', all),
    );
    expect(schedule).toBeDefined();
    const props = schedule![1];
    expect(props.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
    const [rotationApp] = (props.RotationLambdaARN as Json)['Fn::GetAtt'] as string[];
    const location = database.toJSON().Resources[rotationApp!].Properties.Location as Json;
    const [mapping] = (location.ApplicationId as Json)['Fn::FindInMap'] as string[];
    expect(JSON.stringify(database.toJSON().Mappings[mapping!])).toContain('SecretsManagerRDSMySQLRotationMultiUser');
    // Not at creation: the runtime user exists only once the migrate task has run.
    expect(props.RotateImmediatelyOnUpdate).toBe(false);
  });

  it('runs migrations as a one-off task with the master credentials, granting to both alternating users', () => {
    const migrate = container(all.infra.appStack.tasks.migrate.taskDefinition, 'Migrate');
    expect(migrate.Command).toEqual(['node', 'dist/cli/migrate.js']);
    const secrets = secretsOf(migrate);
    for (const field of ['DB_USER', 'DB_PASSWORD']) expect(pointsTo(secrets[field], all.infra.database.secret, 'BizlumoHr-App', all)).toBe(true);
    expect(pointsTo(secrets.RUNTIME_DB_CURRENT_USER, all.infra.database.runtimeSecret, 'BizlumoHr-App', all)).toBe(true);
    expect(pointsTo(secrets.RUNTIME_DB_PASSWORD, all.infra.database.runtimeSecret, 'BizlumoHr-App', all)).toBe(true);
    expect(envOf(migrate).RUNTIME_DB_USER).toBe('bizlumo_app,bizlumo_app_clone');
  });

  it("lets a release run the new image's migrate task before the service runs that image (two tags)", () => {
    const tagOf = (c: Json) => JSON.stringify(c.Image).match(/"Ref":"(\w*ImageTag)"/)?.[1];
    expect(tagOf(container(all.infra.appStack.tasks.migrate.taskDefinition, 'Migrate'))).toBe('ImageTag');
    expect(tagOf(container(all.infra.appStack.taskDefinition, 'App'))).toBe('ServiceImageTag');
  });

  it('keeps the master secret away from the web task: neither its role nor its execution role can read it', () => {
    const master = all.infra.database.secret;
    const web = all.infra.appStack.taskDefinition;
    for (const roleId of [executionRoleId(web), logicalId(all.infra.appStack.taskRole)]) {
      for (const s of roleStatements(app, roleId)) {
        for (const resource of [s.Resource].flat()) expect(pointsTo(resource, master, 'BizlumoHr-App', all)).toBe(false);
      }
    }
    const migrateRole = all.infra.appStack.tasks.migrate.taskDefinition.taskRole;
    expect(logicalId(migrateRole)).not.toBe(logicalId(all.infra.appStack.taskRole));
    expect(executionRoleId(all.infra.appStack.tasks.migrate.taskDefinition)).not.toBe(executionRoleId(web));
  });
});
