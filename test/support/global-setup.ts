import type { TestProject } from 'vitest/node';
import { findOrStartLocalServer, type LocalServer } from '../../src/platform/db/local-server.js';
import { parseDatabaseUrl } from '../../src/platform/db/admin.js';
import { copyKioskAssets } from '../../src/cli/kiosk-assets.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** mysql:// URL of the server the tests create their databases on (no database selected). */
    databaseServerUrl: string;
  }
}

let localServer: LocalServer | undefined;

/** Finds the database server once for the whole run; each test file then makes its own database. */
export async function setup(project: TestProject): Promise<void> {
  // The kiosk page's face model, copied out of node_modules as the build does (a no-op when present).
  copyKioskAssets();
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    serverUrl = parseDatabaseUrl(process.env.DATABASE_URL).serverUrl;
  } else {
    localServer = await findOrStartLocalServer(process.env.DATA_DIR ?? '.data', (line) => console.log(`[test-db] ${line}`));
    serverUrl = localServer.serverUrl;
  }
  project.provide('databaseServerUrl', serverUrl);
}

export async function teardown(): Promise<void> {
  await localServer?.stop();
}
