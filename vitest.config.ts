import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/{unit,integration,e2e}/**/*.test.ts', 'infra/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own database; two workers match the CI machine's two cores.
    maxWorkers: 2,
    // A worker keeps its imported modules from one file to the next: importing the app (AWS SDK,
    // drizzle, fastify) in every file cost a minute of the suite's three. Files stay independent
    // through their own database, app instance and data folder; module-level registries (encrypted
    // columns) are shared, so a test reads the entries it made, not the whole list.
    isolate: false,
  },
});
