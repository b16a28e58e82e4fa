import type { Stack } from 'aws-cdk-lib';

/**
 * Roles with fixed names, so key and bucket policies in earlier stacks can name them without a reference
 * to the stack that creates them (the app stack already depends on the keys and the bucket: a reference
 * back would be a cycle).
 */
/** The web tasks (the Fargate service). */
export const TASK_ROLE_NAME = 'bizlumo-hr-app-task';
/** The one-off migrate task: runs migrations and (re)grants the runtime user. */
export const MIGRATE_ROLE_NAME = 'bizlumo-hr-migrate-task';
/** The scheduled logical backup: writes under platform/backups/, encrypts with the logical-backup key. */
export const BACKUP_ROLE_NAME = 'bizlumo-hr-backup-task';
/** The scheduled restore drill: reads backups, decrypts them, writes its report under platform/drills/. */
export const DRILL_ROLE_NAME = 'bizlumo-hr-drill-task';
/** Key administration (policy, rotation, tags, enable/disable, deletion); no cryptographic use. */
export const KEY_ADMIN_ROLE_NAME = 'bizlumo-hr-key-admin';
/** Emergencies only: may decrypt with the field and logical-backup keys and bypass governance retention. */
export const BREAK_GLASS_ROLE_NAME = 'bizlumo-hr-break-glass';

export function roleArn(stack: Stack, name: string): string {
  return `arn:${stack.partition}:iam::${stack.account}:role/${name}`;
}
