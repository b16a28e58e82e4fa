/**
 * `npm run kiosk:simulate -- --company acme.test [--url http://localhost:3000] [--live] [--all-day]`: a day of
 * punches at a demo company's kiosk, through the real signed API of the running `npm run dev` server (see
 * src/demo/simulate.ts for what it posts and when). Needs the demo kiosk key the seed saved under the data folder.
 * `--all-day` posts every check-in of today's plan now, whatever the time (for a demo before 08:45), no check-outs.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { istDay, istDayBounds } from '../src/platform/clock/index.js';
import { demoKioskKeyPath, readDemoKioskKey } from '../src/demo/faces.js';
import { simulateDay } from '../src/demo/simulate.js';

const say = (line: string) => process.stdout.write(`[kiosk] ${line}\n`);
const { values } = parseArgs({
  options: { company: { type: 'string', default: 'acme.test' }, url: { type: 'string' }, live: { type: 'boolean' }, 'all-day': { type: 'boolean' } },
});
const config = loadConfig();
if (config.isProduction) {
  process.stderr.write('kiosk:simulate is for development: production has no demo kiosk\n');
  process.exit(1);
}
const domain = values.company!;
const key = readDemoKioskKey(config, domain);
if (!key) {
  process.stderr.write(`no demo kiosk key at ${demoKioskKeyPath(config, domain)}: run \`npm run dev\` once (the seed pairs the demo kiosks)\n`);
  process.exit(1);
}
const url = values.url ?? `http://localhost:${config.port}`;
try {
  // --all-day: the plan as if it were 13:00 IST, every check-in due and no check-out yet (those come at 17:30–19:30).
  const upTo = values['all-day'] ? new Date(istDayBounds(istDay(new Date())).start.getTime() + 13 * 3600_000) : undefined;
  const result = await simulateDay({ url, key, upTo, live: values.live, say });
  say(`done: ${result.posted.length} punches posted, ${result.absent.length} absent (${result.absent.join(', ') || 'nobody'})`);
} catch (error) {
  process.stderr.write(`kiosk:simulate failed: ${(error as Error).message}\nIs the server running at ${url}? (npm run dev)\n`);
  process.exit(1);
}
