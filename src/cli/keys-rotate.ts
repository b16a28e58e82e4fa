/**
 * `npm run keys:rotate -- --tenant <ID>` or `npm run keys:rotate -- --all` [--batch-size N] [--delete-retired]
 *
 * Adds a data key version for the tenant(s) and re-encrypts every registered encrypted column in
 * batches. Each tenant's rotation is a job (platform/jobs): this command queues it, or finds the
 * unfinished one, and runs it to its end in this process through the job runner; when a server or an
 * earlier run holds it, it waits (and takes it over once that lease runs out). Safe to interrupt:
 * running it again resumes from the last committed batch, and the servers finish it too. The app
 * keeps serving meanwhile (old and new versions both decrypt). Uses DATABASE_URL when given; otherwise the local
 * development server (see platform/db/local-server.ts) and its `bizlumo` database.
 * --delete-retired then deletes the tenant's retired key versions that no value or blind index needs
 * any more (audited); backups made before keep their own copy of the key rows.
 * In the image: `node dist/cli/keys-rotate.js --tenant <ID>`.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import type { Db } from '../platform/db/client.js';
import { createLogger } from '../platform/observability/logger.js';
import { createAlerter } from '../platform/observability/alert.js';
import {
  createFieldCipher,
  deleteRetiredDataKeys,
  listEncryptedColumns,
  rotateAllTenants,
  rotateTenantKey,
  type RotationProgress,
  type RotationResult,
} from '../platform/crypto/index.js';
import type { JobState } from '../platform/jobs/index.js';
import { createCommand } from './command.js';

const { say, fail, openKeysDatabase, recordAsSystem, run } = createCommand('keys');

const USAGE = 'usage: npm run keys:rotate -- --tenant <ID> | --all  [--batch-size N] [--delete-retired]';

function parseCommandLine(): { tenant?: string; all: boolean; batchSize: number; deleteRetired: boolean } {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      all: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: '500' },
      'delete-retired': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error(`--batch-size must be 1 to 10000\n${USAGE}`);
  if (values.all === (values.tenant !== undefined)) throw new Error(`name one tenant with --tenant <ID>, or --all\n${USAGE}`);
  if (values.tenant !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.tenant)) throw new Error('--tenant must be a tenant id');
  return { tenant: values.tenant, all: values.all ?? false, batchSize, deleteRetired: values['delete-retired'] ?? false };
}

function describe(result: RotationResult): string {
  return (
    `tenant ${result.tenantId}: ${result.outcome === 'resumed' ? 'resumed and finished' : 'rotated'} to key version ${result.targetVersion}; ` +
    `${result.rowsSeen} values seen, ${result.rowsReencrypted} re-encrypted, ${result.rowsRejected} rejected`
  );
}

function progress(p: RotationProgress): void {
  if (p.done) say(`tenant ${p.tenantId} → v${p.targetVersion}: ${p.table}.${p.column} done (${p.rowsSeen} values, ${p.rowsReencrypted} re-encrypted)`);
  else say(`tenant ${p.tenantId} → v${p.targetVersion}: ${p.table}.${p.column} batch ${p.batches}, ${p.rowsSeen} values so far`);
}

let lastWait = '';
function waiting(job: JobState): void {
  const line = `tenant ${job.tenantId}: its rotation is running elsewhere (${job.progress.done} of ${job.progress.total ?? '?'} values); waiting for it to finish or for its lease to run out`;
  if (line !== lastWait) say(line);
  lastWait = line;
}

await run('key rotation failed', async () => {
  let exitCode = 0;
  const args = parseCommandLine();
  const config = loadConfig();
  const { keyProvider, db } = await openKeysDatabase(config, 4);
  // The composition root imports every module, and modules register their encrypted columns when
  // imported: loading it is how this script learns which columns to re-encrypt.
  await import('../app.js');
  const columns = listEncryptedColumns();
  if (columns.length === 0) say('warning: no encrypted columns are registered; only the data key version changes');
  else say(`encrypted columns: ${columns.map((c) => `${c.table}.${c.column}`).join(', ')}`);

  const alert = createAlerter(createLogger(config));
  // The servers' key cache lifetime (the same KEY_CACHE_SECONDS): how long the rotation waits before its final sweep.
  const cipher = createFieldCipher({ db, keyProvider, alert, cache: { ttlMs: config.keyCacheMs } });
  const deps = { db, keyProvider, cipher, columns };
  const settling = (tenantId: string, until: Date) =>
    say(`tenant ${tenantId}: first pass done; waiting until ${until.toISOString()} for the servers' cached key version to expire, then sweeping`);
  const options = { batchSize: args.batchSize, onProgress: progress, onWaiting: waiting, onSettling: settling };
  // --delete-retired: once a tenant's rotation is done, its retired versions that nothing needs go, audited.
  const audit = recordAsSystem('keys:rotate');

  const results = args.all ? await rotateAllTenants(deps, options) : [{ tenantId: args.tenant!, result: await rotateTenantKey(deps, args.tenant!, options) }];
  if (args.all && results.length === 0) say('no tenant has a data key yet: nothing to rotate');
  for (const { tenantId, result, error } of results) {
    if (error) {
      fail(`tenant ${tenantId}: FAILED: ${error.message} (run the command again to resume)`);
      exitCode = 1;
    } else if (result?.outcome === 'no_data_key') {
      fail(`tenant ${tenantId} has no data key (nothing of it is encrypted): is the id right?`);
      exitCode = 1;
    } else if (result) {
      say(describe(result));
      if (result.rowsRejected > 0) {
        fail(`tenant ${tenantId}: ${result.rowsRejected} value(s) did not decrypt (alerted); they keep their old key version`);
        exitCode = 1;
      } else if (args.deleteRetired) {
        const record = (tx: Db, deleted: number[]) =>
          audit(tx, tenantId, 'crypto.data_keys_deleted', { type: 'tenant_data_keys', id: tenantId }, { versions: deleted });
        const { deleted, kept } = await deleteRetiredDataKeys(db, tenantId, { columns, record });
        say(`tenant ${tenantId}: retired key versions deleted: ${deleted.join(', ') || 'none'}${kept.length ? `; still needed: ${kept.join(', ')}` : ''}`);
      }
    }
  }
  return exitCode;
});
