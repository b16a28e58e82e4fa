import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../../src/platform/db/admin.js';
import { scratchDatabaseUrl } from '../support/db.js';
import { freePort, runScript, type RunningProcess } from '../support/process.js';

describe('npm run dev, headless, against a database that does not exist yet', () => {
  const databaseUrl = scratchDatabaseUrl('dev');
  let dev: RunningProcess | undefined;
  afterAll(async () => {
    if (dev?.child.exitCode === null) dev.child.kill('SIGKILL');
    await dropDatabase(databaseUrl);
  });

  it('creates and migrates the database, seeds the demo, serves, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    dev = runScript('scripts/dev.ts', { DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development' });
    await dev.waitFor(/Bizlumo HR is serving http:\/\/127\.0\.0\.1:\d+/);
    expect(dev.output()).toContain('demo company Acme Industries (acme.test): 60 employees');
    expect(dev.output()).toContain('demo company Globex Labs (globex.test): 60 employees');

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    const home = await fetch(`http://127.0.0.1:${port}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Bizlumo HR');

    // No terminal: logs are JSON lines on stdout.
    const jsonLines = dev
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(jsonLines.some((line) => JSON.parse(line).msg === 'database migrated')).toBe(true);

    dev.child.kill('SIGTERM');
    expect(await dev.exited()).toBe(0);
    expect(dev.output()).toContain('shutting down');
  }, 90_000);
});

describe('the production entry point', () => {
  it('refuses to start with a list of every bad or missing variable', async () => {
    const main = runScript('src/main.ts', { NODE_ENV: 'production', AWS_REGION: 'eu-west-1' });
    expect(await main.exited()).toBe(1);
    const output = main.output();
    expect(output).toMatch(/^Invalid configuration \(\d+ problems\):$/m);
    expect(output).toMatch(/^ {2}- AWS_REGION: must be an Indian region/m);
    expect(output).toMatch(/^ {2}- DATABASE_URL: is required in production$/m);
    expect(output).toMatch(/^ {2}- SESSION_SECRETS: is required in production$/m);
  }, 30_000);
});
