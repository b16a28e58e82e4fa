/**
 * The employee list page (50 rows, PAN and account masked: 100 decryptions a page) under autocannon,
 * against the same template with the same rows rendered with no database and no decryption, served by
 * the same process (`/bench/list-template`). The ratio is what the data and the crypto cost the page.
 *
 * Issue 10's target: the page serves at least 30% of the bare template's requests per second, with
 * p99 under 50 ms. Rounds alternate page and floor so that a noisy moment on a shared machine hits
 * both alike; medians are reported. The server's own counters say where the time goes: database
 * round trips and CPU milliseconds per request, and how busy its event loop was.
 *
 * 8 connections by default, as this bench always used (the issue's 320 req/s with p99 48 ms are
 * figures of that set-up). Closed-loop connections wait for their answers, so mean latency is
 * connections / throughput: at 50 connections a p99 under 50 ms needs well over 1,000 page views a
 * second, which even the bare template does not reach on a 2-core machine (its p99 is 60-130 ms
 * there). BENCH_CONNECTIONS=50 runs that set-up; its ratio is the figure to watch.
 */
import os from 'node:os';
import autocannon from 'autocannon';
import { startBenchServer, cookiesFrom, median } from './harness.js';

export const PAGE_TARGET = { pageRatio: 0.3, pageP99Ms: 50 } as const;

export interface ListPageFigures {
  connections: number;
  poolSize: number;
  pageRps: number;
  pageP99Ms: number;
  templateRps: number;
  templateP99Ms: number;
  pageRatio: number;
  /** Database commands per page request (the floor makes none). */
  pageRoundTrips: number;
  /** CPU of the server process per request, page and floor. */
  pageCpuMs: number;
  templateCpuMs: number;
  /** Fraction of the time the server's event loop was busy while serving the page. */
  pageEventLoopBusy: number;
  loadAverage: number;
  met: boolean;
}

interface Counters {
  roundTrips: number;
  requests: Record<string, number>;
  cpuMs: number;
  eventLoop: { idle: number; active: number; utilization: number };
  poolSize: number;
}

interface Round {
  rps: number;
  p99: number;
  requests: number;
  roundTrips: number;
  cpuMs: number;
  busy: number;
}

export async function benchEmployeeListPage(say: (line: string) => void): Promise<ListPageFigures> {
  process.env.BENCH_TEMPLATE_FLOOR = '1';
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const server = await startBenchServer();
  try {
    const form = await fetch(`${server.url}/login`);
    const cookie = cookiesFrom(form);
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const signedIn = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ _csrf: token, email: 'hr@acme.test', password: 'Demo-pass-2026' }).toString(),
    });
    const session = cookiesFrom(signedIn, cookie);
    const counters = async (): Promise<Counters> => (await (await fetch(`${server.url}/bench/counters`)).json()) as Counters;

    const run = async (path: string, duration: number): Promise<Round> => {
      const before = await counters();
      const result = await new Promise<autocannon.Result>((resolve, reject) =>
        autocannon({ url: `${server.url}${path}`, headers: { cookie: session }, connections, duration }, (error, r) => (error ? reject(error) : resolve(r))),
      );
      const after = await counters();
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      const route = path === '/employees' ? '/employees' : '/bench/list-template';
      const requests = (after.requests[route] ?? 0) - (before.requests[route] ?? 0);
      const active = after.eventLoop.active - before.eventLoop.active;
      const idle = after.eventLoop.idle - before.eventLoop.idle;
      return {
        rps: result.requests.average,
        p99: result.latency.p99,
        requests,
        // The counters request itself makes none; anything else is the page's.
        roundTrips: (after.roundTrips - before.roundTrips) / requests,
        cpuMs: (after.cpuMs - before.cpuMs) / requests,
        busy: active / (active + idle),
      };
    };

    // Warm both: JIT, the template cache, data keys, the session cache, pool connections.
    await run('/employees', 2);
    await run('/bench/list-template', 2);
    const page: Round[] = [];
    const floor: Round[] = [];
    const fixed = (n: number, digits = 2) => n.toFixed(digits);
    for (let round = 0; round < rounds; round++) {
      page.push(await run('/employees', seconds));
      floor.push(await run('/bench/list-template', seconds));
      const [p, f] = [page[round]!, floor[round]!];
      say(
        `  round ${round + 1}: page ${fixed(p.rps, 0)} req/s p99 ${p.p99} ms (${fixed(p.roundTrips)} round trips, ${fixed(p.cpuMs)} ms CPU, loop ${fixed(p.busy * 100, 0)}% busy)` +
          ` | template ${fixed(f.rps, 0)} req/s p99 ${f.p99} ms (${fixed(f.cpuMs)} ms CPU, loop ${fixed(f.busy * 100, 0)}% busy)`,
      );
    }
    const pageRps = median(page.map((r) => r.rps));
    const templateRps = median(floor.map((r) => r.rps));
    const pageP99Ms = median(page.map((r) => r.p99));
    const pageRatio = Number((pageRps / templateRps).toFixed(3));
    const poolSize = (await counters()).poolSize;
    const figures: ListPageFigures = {
      connections,
      poolSize,
      pageRps: Math.round(pageRps),
      pageP99Ms,
      templateRps: Math.round(templateRps),
      templateP99Ms: median(floor.map((r) => r.p99)),
      pageRatio,
      pageRoundTrips: Number(median(page.map((r) => r.roundTrips)).toFixed(2)),
      pageCpuMs: Number(median(page.map((r) => r.cpuMs)).toFixed(3)),
      templateCpuMs: Number(median(floor.map((r) => r.cpuMs)).toFixed(3)),
      pageEventLoopBusy: Number(median(page.map((r) => r.busy)).toFixed(2)),
      loadAverage: Number(os.loadavg()[0]!.toFixed(2)),
      met: pageRatio >= PAGE_TARGET.pageRatio && pageP99Ms < PAGE_TARGET.pageP99Ms,
    };
    say(`Employee list page (50 rows, masked), ${connections} connections, pool of ${poolSize}, medians of ${rounds} rounds of ${seconds} s:`);
    say(`  page      ${figures.pageRps} req/s, p99 ${pageP99Ms} ms, ${figures.pageRoundTrips} round trips and ${figures.pageCpuMs} ms CPU a request`);
    say(`  template  ${figures.templateRps} req/s, p99 ${figures.templateP99Ms} ms, ${figures.templateCpuMs} ms CPU a request (same template, no database)`);
    say(
      `  ratio     ${fixed(pageRatio * 100, 1)}% of the template (target ≥ ${PAGE_TARGET.pageRatio * 100}% with p99 < ${PAGE_TARGET.pageP99Ms} ms): ${figures.met ? 'met' : 'NOT met'}` +
        ` (load average ${figures.loadAverage} on ${os.cpus().length} cores)`,
    );
    return figures;
  } finally {
    await server.stop();
  }
}
