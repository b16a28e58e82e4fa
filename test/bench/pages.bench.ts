/**
 * `npm run bench:pages`: the employee list page against its bare template (issue 10: ≥ 30% of the
 * template's requests per second with p99 < 50 ms; 8 connections, see support/list-page.ts for why).
 *
 * Prints human-readable lines, then as the LAST line one JSON object for CI to parse. The server uses
 * DATABASE_URL's server when given, otherwise the local development server, in a scratch database.
 * BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_ROUNDS and DATABASE_POOL_SIZE change the set-up.
 */
import { lastLine } from './support/harness.js';
import { benchEmployeeListPage, PAGE_TARGET } from './support/list-page.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

try {
  const figures = await benchEmployeeListPage(say);
  lastLine({ bench: 'pages', ...figures, target: { pageRatio: `>= ${PAGE_TARGET.pageRatio}`, pageP99Ms: `< ${PAGE_TARGET.pageP99Ms}` }, met: figures.met });
  process.exit(figures.met ? 0 : 1);
} catch (error) {
  process.stderr.write(`bench:pages failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
}
