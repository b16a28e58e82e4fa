/**
 * `npm run keys:rewrap -- --tenant <ID>` or `npm run keys:rewrap -- --all` [--from-data-dir DIR]
 *
 * Moves tenants' data keys to the configured master key (KEY_PROVIDER, KMS_KEY_ID; DATA_DIR's key
 * file for the local provider): each key version is unwrapped by the master key its row names and
 * wrapped again by the configured one (platform/crypto/rewrap.ts). Values are not touched. A version
 * under a KMS key is unwrapped with that key (its ARN is on the row), so this process needs Decrypt on
 * the old key and Encrypt on the new; one under a local key file is unwrapped with the key file in
 * --from-data-dir (default DATA_DIR). Each tenant moved is audited as the system. Run it with the new
 * key configured, then deploy the servers with the same configuration.
 * In the image: `node dist/cli/keys-rewrap.js --all`.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { KmsKeyProvider, LocalKeyProvider, rewrapTenantKeys, tenantsWithDataKeys, type KeyProvider } from '../platform/crypto/index.js';
import { createCommand } from './command.js';

const { say, fail, openKeysDatabase, recordAsSystem, run } = createCommand('keys');

const USAGE = 'usage: npm run keys:rewrap -- --tenant <ID> | --all  [--from-data-dir DIR]';
const COMMAND = 'keys:rewrap';

function parseCommandLine(): { tenant?: string; all: boolean; fromDataDir?: string } {
  const { values } = parseArgs({
    options: { tenant: { type: 'string' }, all: { type: 'boolean', default: false }, 'from-data-dir': { type: 'string' } },
    strict: true,
  });
  if (values.all === (values.tenant !== undefined)) throw new Error(`name one tenant with --tenant <ID>, or --all\n${USAGE}`);
  if (values.tenant !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.tenant)) throw new Error('--tenant must be a tenant id');
  return { tenant: values.tenant, all: values.all ?? false, fromDataDir: values['from-data-dir'] };
}

await run('key re-wrap failed', async () => {
  const args = parseCommandLine();
  const config = loadConfig();
  // The target key: never the local key file against a database other than the local one (command.ts).
  const { keyProvider: to, db } = await openKeysDatabase(config, 2);

  const sources = new Map<string, KeyProvider>();
  const from = (masterKeyId: string): KeyProvider => {
    let source = sources.get(masterKeyId);
    if (source) return source;
    if (masterKeyId.startsWith('local:')) source = new LocalKeyProvider({ dataDir: args.fromDataDir ?? config.dataDir, isProduction: config.isProduction });
    else if (masterKeyId.startsWith('arn:')) source = new KmsKeyProvider({ keyId: masterKeyId, region: config.aws.region });
    else throw new Error(`a key row names master key ${masterKeyId}, which is neither a local key file nor a KMS key`);
    sources.set(masterKeyId, source);
    return source;
  };
  const audit = recordAsSystem(COMMAND);
  const record: Parameters<typeof rewrapTenantKeys>[0]['record'] = (tx, moved) =>
    audit(
      tx,
      moved.tenantId,
      'crypto.data_keys_rewrapped',
      { type: 'tenant_data_keys', id: moved.tenantId },
      { versions: moved.versions, from: moved.from, to: moved.to },
    );

  const tenants = args.all ? await tenantsWithDataKeys(db) : [args.tenant!];
  say(`moving ${args.all ? `${tenants.length} tenant(s)` : `tenant ${args.tenant}`} to master key ${await to.currentMasterKeyId()}`);
  let exitCode = 0;
  for (const tenantId of tenants) {
    try {
      const moved = await rewrapTenantKeys({ db, to, from, record }, tenantId);
      if (moved.versions.length > 0) say(`tenant ${tenantId}: ${moved.versions.length} key version(s) re-wrapped from ${moved.from.join(', ')} to ${moved.to}`);
      else if (moved.keyVersions > 0) say(`tenant ${tenantId}: already under ${moved.to}`);
      else {
        fail(`tenant ${tenantId} has no data key (nothing of it is encrypted): is the id right?`);
        exitCode = 1;
      }
    } catch (error) {
      fail(`tenant ${tenantId}: FAILED: ${(error as Error).message} (nothing of this tenant changed)`);
      exitCode = 1;
    }
  }
  return exitCode;
});
