import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * `npm run lint:deps` runs the project's dependency-cruiser rules over src/. Here the same command and
 * configuration run over a small tree that breaks each rule once (and has a legal twin for each), so a
 * rule that stops matching — a typo in a path, a `.js` import it can no longer resolve — fails here
 * instead of quietly passing everything.
 */
const TREE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  'src/app.ts': `import { tenancy } from './modules/tenancy/index.js';\nexport const app = tenancy;\n`,
  'src/demo/seed.ts': `import { company } from '../../test/support/factories.js';\nimport { dev } from '../../scripts/dev.js';\nexport const seed = [company, dev];\n`,
  'src/platform/errors.ts': `export class NotFound extends Error {}\n`,
  'src/platform/http/errors.ts': `export class Gone extends Error {}\n`,
  'src/platform/views/filters.ts': `export const money = (paise: number) => String(paise / 100);\n`,
  'src/platform/db/client.ts': `export const db = {};\n`,
  'src/platform/jobs/worker.ts': [
    `import { db } from '../db/client.js';`,
    `import { tenancy } from '../../modules/tenancy/index.js';`,
    `import { app } from '../../app.js';`,
    `import { seed } from '../../demo/seed.js';`,
    `export const worker = [db, tenancy, app, seed];`,
  ].join('\n'),
  'src/modules/tenancy/index.ts': `export { tenancy } from './store.js';\n`,
  'src/modules/tenancy/store.ts': `import { db } from '../../platform/db/client.js';\nexport const tenancy = db;\n`,
  'src/modules/people/service.ts': [
    `import { tenancy } from '../tenancy/index.js';`,
    `import { tenancy as sneaky } from '../tenancy/store.js';`,
    `import { NotFound } from '../../platform/errors.js';`,
    `import { Gone } from '../../platform/http/errors.js';`,
    `import { pay } from './rules/pay.js';`,
    `export const people = [tenancy, sneaky, NotFound, Gone, pay];`,
  ].join('\n'),
  'src/modules/people/store.ts': `import type { money } from '../../platform/views/filters.js';\nexport type Shown = typeof money;\n`,
  'src/modules/people/rules/pay.ts': `import { money } from '../../../platform/views/filters.js';\nexport const pay = money;\n`,
  'src/modules/people/routes.ts': `import { Gone } from '../../platform/http/errors.js';\nimport { people } from './service.js';\nimport { csv } from './csv-routes.js';\nexport const routes = [Gone, people, csv];\n`,
  'src/modules/people/csv-routes.ts': `import { routes } from './routes.js';\nimport { missing } from './nowhere.js';\nexport const csv = () => [routes, missing];\n`,
  'test/support/factories.ts': `export const company = {};\n`,
  'scripts/dev.ts': `export const dev = {};\n`,
};

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

function depcruise(root: string, ...args: string[]) {
  const bin = path.join(projectRoot, 'node_modules', '.bin', 'depcruise');
  return spawnSync(bin, ['src', '--config', path.join(projectRoot, '.dependency-cruiser.cjs'), ...args], { cwd: root, encoding: 'utf8' });
}

describe('import rules (npm run lint:deps)', () => {
  it('reports every deliberate violation, and nothing of the legal imports beside them', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'bz-deps-'));
    try {
      for (const [file, source] of Object.entries(TREE)) {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), source);
      }
      // The command `npm run lint:deps` runs fails…
      const plain = depcruise(root);
      expect(plain.status, plain.stdout + plain.stderr).not.toBe(0);
      expect(plain.stdout).toContain('11 dependency violations (11 errors');
      // …and names exactly these (the JSON report, to compare them one by one).
      const report = depcruise(root, '--output-type', 'json');
      const violations: Violation[] = JSON.parse(report.stdout).summary.violations;
      const found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
      expect(found).toEqual(
        [
          'platform-imports-no-module: src/platform/jobs/worker.ts → src/modules/tenancy/index.ts',
          'platform-imports-no-module: src/platform/jobs/worker.ts → src/app.ts',
          'platform-imports-no-module: src/platform/jobs/worker.ts → src/demo/seed.ts',
          'module-through-index: src/modules/people/service.ts → src/modules/tenancy/store.ts',
          'no-circular: src/modules/people/csv-routes.ts → src/modules/people/routes.ts',
          'src-imports-no-test-or-script: src/demo/seed.ts → test/support/factories.ts',
          'src-imports-no-test-or-script: src/demo/seed.ts → scripts/dev.ts',
          'domain-knows-no-http-or-views: src/modules/people/service.ts → src/platform/http/errors.ts',
          'domain-knows-no-http-or-views: src/modules/people/store.ts → src/platform/views/filters.ts',
          'domain-knows-no-http-or-views: src/modules/people/rules/pay.ts → src/platform/views/filters.ts',
          'resolvable: src/modules/people/csv-routes.ts → ./nowhere.js',
        ].sort(),
      );
      const cycle = violations.find((v) => v.rule.name === 'no-circular')!.cycle!.map((step) => step.name);
      expect(cycle).toEqual(['src/modules/people/routes.ts', 'src/modules/people/csv-routes.ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
