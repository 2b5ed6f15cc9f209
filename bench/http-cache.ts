/**
 * HTTP caching benchmark: the hot list answered from ours' caches against the node:http ceiling,
 * and executed (with the cache off, or on but unused) against mercurius + graphql-jit, in one run,
 * with the harness, corpus and load generator of bench/http.ts.
 *
 *   npx tsx bench/http-cache.ts [--quick] [--corpus 10000] [--seed 1] [--warmup S] [--duration S]
 *                               [--repetitions N] [--connections N]
 *
 * Defaults: a generated 10,000-article corpus, warm-up 3 s, 3 x 10 s, 50 connections. `--quick`:
 * 1,000 articles, warm-up 0.5 s, 3 x 1 s. Scenarios (servers pinned to core 0, autocannon to core 1):
 * - hit:        ours as shipped, GET of the hot list: every request after the first is a response-cache hit;
 * - revalidate: ours, the same GET with `If-None-Match` naming its ETag: every answer a 304;
 * - ceiling:    bare node:http answering that GET with the pre-serialised response;
 * - once:       ours as shipped, GET of the hot list with a variable no two requests share
 *               (`nonce`, which the document does not declare): every request seen once, so executed,
 *               and neither looked up nor stored (the cache stores a request from its second sighting);
 * - executed:   ours with the response cache off (RESPONSE_CACHE_BYTES=0), the same GETs;
 * - post:       ours as shipped, POST of the hot list as bench/http.ts sends it (POSTs are not cached);
 * - uncached:   ours with the response cache off, the same POSTs;
 * - mercurius:  fastify + mercurius + graphql-jit, the same POSTs.
 * Targets (issue: HTTP caching): hit >= 0.5 x ceiling; uncached / mercurius >= 0.9; once / executed
 * and post / uncached >= 0.95 (the caches slow the requests they do not answer by at most 5 %). The exit code is 0 even when a target
 * fails; 2 when the run itself fails (wrong data, an unexpected status, a server dying).
 *
 * The last line is `BENCH_HTTP_CACHE_JSON {...}`, the whole result as JSON.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.mjs';
import { loadCorpus } from '../src/content/load.js';
import { generateCorpus } from './generate.js';
import { expectedData, firstDifference } from './http-correctness.js';
import { LoadGenerator, timedRun } from './http-generator.js';
import { type LoadRequest, NONCE } from './http-load.js';
import { buildHttpQueries } from './http-queries.js';
import type { TimedRun } from './http-results.js';
import { EXECUTE_EVERY_REQUEST, type RunningServer, startOurs, startPeer } from './http-servers.js';
import { LOAD_RUN_FLAGS, positiveNumber } from './lib/args.js';
import { closeWorkDirectory, installExitHandlers, openWorkDirectory, stopAllChildren, stopChild } from './lib/processes.js';
import { fmt, table, verdict } from './lib/report.js';
import { median } from './lib/stats.js';

/** The settings of one run. */
export interface CacheBenchmarkOptions {
  readonly articles: number;
  readonly seed: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly repetitions: number;
  readonly connections: number;
  readonly sampleIntervalMs: number;
  /** Stop after the correctness checks (the test suite's mode). */
  readonly correctnessOnly?: boolean;
}

/** One scenario: which server, and what each request of its runs is. */
interface Scenario {
  readonly name: 'hit' | 'revalidate' | 'ceiling' | 'once' | 'executed' | 'post' | 'uncached' | 'mercurius';
  readonly title: string;
  readonly server: RunningServer;
  readonly request: Omit<LoadRequest, 'id' | 'connections' | 'pipelining' | 'duration' | 'timeout' | 'sampleInt'>;
}

/** The medians of a scenario's timed runs. */
interface ScenarioResult {
  readonly name: Scenario['name'];
  readonly title: string;
  readonly requestsPerSecond: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly serverCpuMsPerRequest: number;
  readonly runs: readonly TimedRun[];
}

/** A ratio target, decided. */
interface Target {
  readonly name: string;
  readonly value: number;
  readonly threshold: number;
  readonly pass: boolean;
}

/** GETs `url` (with `headers`) and returns the status, the ETag and the parsed body (null for no body). */
async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { accept: 'application/json', ...headers } });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: text === '' ? null : (JSON.parse(text) as { data?: unknown }),
  };
}

/** POSTs `body` to `url` and returns the status and the parsed body. */
async function post(url: string, body: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body });
  return { status: response.status, body: (await response.json()) as { data?: unknown } };
}

/** Throws naming the scenario unless `actual` is a 200 with exactly `expected` as data. */
function assertData(where: string, actual: { status: number; body: { data?: unknown } | null }, expected: unknown): void {
  if (actual.status !== 200 || actual.body === null) throw new Error(`CORRECTNESS FAILED (${where}): HTTP ${actual.status}`);
  const difference = firstDifference(actual.body.data, expected);
  if (difference !== '') throw new Error(`CORRECTNESS FAILED (${where}): ${difference}`);
}

/** Runs every scenario and returns the medians and the targets (none with `correctnessOnly`). */
export async function runCacheBenchmark(options: CacheBenchmarkOptions, log: (line: string) => void) {
  installExitHandlers('http-cache bench');
  const work = openWorkDirectory('newsgraph-http-cache-bench-');
  try {
    const contentDir = path.join(work, 'corpus');
    const generated = await generateCorpus({ directory: contentDir, articles: options.articles, seed: options.seed });
    log(`generated ${generated.files} articles (seed ${options.seed})`);
    const starting = Promise.all([
      startOurs(contentDir, path.join(work, 'cache-shipped')),
      startOurs(contentDir, path.join(work, 'cache-uncached'), [], undefined, 'ours', EXECUTE_EVERY_REQUEST),
      startPeer('mercurius', contentDir, ''),
    ]);
    starting.catch(() => undefined);
    const { corpus } = await loadCorpus(contentDir, { cacheDir: null });
    const hotList = buildHttpQueries(corpus.public).find((query) => query.name === 'hotList')!;
    const [expected] = await expectedData(corpus, hotList);
    const getPath = `/graphql?query=${encodeURIComponent(hotList.query)}`;
    const responsesFile = path.join(work, 'ceiling-responses.json');
    writeFileSync(responsesFile, JSON.stringify({ [getPath]: JSON.stringify({ data: expected }) }));
    const [shipped, uncached, mercurius] = await starting;
    const ceiling = await startPeer('ceiling', contentDir, responsesFile);
    const origin = (server: RunningServer) => server.url.slice(0, -'/graphql'.length);
    const noncePath = `${getPath}&variables=${encodeURIComponent(JSON.stringify({ nonce: NONCE }))}`;

    // Correctness: the data of every scenario, the ETag, the 304.
    const first = await get(`${origin(shipped)}${getPath}`);
    assertData('hit', first, expected);
    assertData('hit (from the cache)', await get(`${origin(shipped)}${getPath}`), expected);
    if (first.etag === null) throw new Error('CORRECTNESS FAILED (hit): no ETag');
    const revalidated = await get(`${origin(shipped)}${getPath}`, { 'if-none-match': first.etag });
    if (revalidated.status !== 304) throw new Error(`CORRECTNESS FAILED (revalidate): HTTP ${revalidated.status}`);
    assertData('ceiling', await get(`${origin(ceiling)}${getPath}`), expected);
    for (const [name, server] of [
      ['once', shipped],
      ['executed', uncached],
    ] as const)
      assertData(name, await get(`${origin(server)}${noncePath.replace(NONCE, 'check')}`), expected);
    for (const [name, server] of [
      ['post', shipped],
      ['uncached', uncached],
      ['mercurius', mercurius],
    ] as const)
      assertData(name, await post(server.url, hotList.bodies[0]!), expected);
    log('correctness: every scenario answers the hot list with the expected data; the ETag revalidates to 304');
    if (options.correctnessOnly) {
      await Promise.all([shipped, uncached, mercurius, ceiling].map((server) => stopChild(server.child, 12_000)));
      return { corpus: { articles: generated.files, seed: options.seed }, options, scenarios: [], targets: [], pass: null };
    }

    const scenarios: Scenario[] = [
      {
        name: 'hit',
        title: 'ours, GET, response-cache hit',
        server: shipped,
        request: { url: `${origin(shipped)}${getPath}`, bodies: [''], method: 'GET' },
      },
      {
        name: 'revalidate',
        title: 'ours, GET with If-None-Match: 304',
        server: shipped,
        request: {
          url: `${origin(shipped)}${getPath}`,
          bodies: [''],
          method: 'GET',
          headers: { 'if-none-match': first.etag },
          expectedStatus: 304,
        },
      },
      {
        name: 'ceiling',
        title: 'node:http, GET, pre-serialised',
        server: ceiling,
        request: { url: `${origin(ceiling)}${getPath}`, bodies: [''], method: 'GET' },
      },
      {
        name: 'once',
        title: 'ours, GET, every request seen once',
        server: shipped,
        request: { url: `${origin(shipped)}${noncePath}`, bodies: [''], method: 'GET', nonce: true },
      },
      {
        name: 'executed',
        title: 'ours, GET, response cache off',
        server: uncached,
        request: { url: `${origin(uncached)}${noncePath}`, bodies: [''], method: 'GET', nonce: true },
      },
      {
        name: 'post',
        title: 'ours, POST (not cached)',
        server: shipped,
        request: { url: shipped.url, bodies: hotList.bodies },
      },
      {
        name: 'uncached',
        title: 'ours, POST, response cache off',
        server: uncached,
        request: { url: uncached.url, bodies: hotList.bodies },
      },
      {
        name: 'mercurius',
        title: 'mercurius + graphql-jit, POST',
        server: mercurius,
        request: { url: mercurius.url, bodies: hotList.bodies },
      },
    ];
    const load = await LoadGenerator.start();
    const run = (scenario: Scenario, duration: number, label: string) =>
      timedRun(
        load,
        scenario.server,
        {
          ...scenario.request,
          connections: options.connections,
          pipelining: 1,
          duration,
          timeout: 10,
          sampleInt: options.sampleIntervalMs,
        },
        `${scenario.name} / ${label}`,
        true,
      );
    log(`warm-up ${options.warmupSeconds} s, then ${options.repetitions} x ${options.durationSeconds} s per scenario, interleaved ...`);
    for (const scenario of scenarios) await run(scenario, options.warmupSeconds, 'warm-up');
    const runs = new Map<Scenario['name'], TimedRun[]>(scenarios.map((scenario) => [scenario.name, []]));
    for (let repetition = 1; repetition <= options.repetitions; repetition++)
      for (const scenario of scenarios)
        runs.get(scenario.name)!.push(await run(scenario, options.durationSeconds, `repetition ${repetition}`));
    await load.stop();
    await Promise.all([shipped, uncached, mercurius, ceiling].map((server) => stopChild(server.child, 12_000)));

    const results: ScenarioResult[] = scenarios.map((scenario) => {
      const timed = runs.get(scenario.name)!;
      return {
        name: scenario.name,
        title: scenario.title,
        requestsPerSecond: median(timed.map((r) => r.requestsPerSecond)),
        latencyP50: median(timed.map((r) => r.latencyP50)),
        latencyP99: median(timed.map((r) => r.latencyP99)),
        serverCpuMsPerRequest: median(timed.map((r) => r.serverCpuMsPerRequest)),
        runs: timed,
      };
    });
    const rate = (name: Scenario['name']) => results.find((result) => result.name === name)!.requestsPerSecond;
    const target = (name: string, value: number, threshold: number): Target => ({ name, value, threshold, pass: value >= threshold });
    const targets = [
      target('hit / ceiling', rate('hit') / rate('ceiling'), 0.5),
      target('uncached / mercurius', rate('uncached') / rate('mercurius'), 0.9),
      target('once / executed', rate('once') / rate('executed'), 0.95),
      target('post / uncached', rate('post') / rate('uncached'), 0.95),
    ];
    log('');
    log(
      table([
        ['scenario', 'what', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req'],
        ...results.map((result) => [
          result.name,
          result.title,
          fmt(result.requestsPerSecond),
          fmt(result.latencyP50, 1),
          fmt(result.latencyP99, 1),
          fmt(result.serverCpuMsPerRequest, 3),
        ]),
      ]),
    );
    log(`revalidate / hit: ${fmt(rate('revalidate') / rate('hit'), 2)}; hit / uncached: ${fmt(rate('hit') / rate('uncached'), 2)}`);
    for (const { name, value, threshold, pass } of targets) log(`target ${name}: ${fmt(value, 2)} (>= ${threshold}) ${verdict(pass)}`);
    return {
      corpus: { articles: generated.files, seed: options.seed },
      options,
      scenarios: results,
      targets,
      pass: targets.every((t) => t.pass),
    };
  } finally {
    await closeWorkDirectory(work);
  }
}

/** The options of the command line (`--quick` changes the defaults). */
function parseCli(argv: readonly string[]): CacheBenchmarkOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: LOAD_RUN_FLAGS,
    strict: true,
  });
  const number = (value: string | undefined, name: string): number | undefined =>
    value === undefined ? undefined : positiveNumber(value, `--${name}`, { integer: false });
  const quick = values.quick;
  return {
    articles: number(values.corpus, 'corpus') ?? (quick ? 1_000 : 10_000),
    seed: number(values.seed, 'seed') ?? 1,
    warmupSeconds: number(values.warmup, 'warmup') ?? (quick ? 0.5 : 3),
    durationSeconds: number(values.duration, 'duration') ?? (quick ? 1 : 10),
    repetitions: number(values.repetitions, 'repetitions') ?? 3,
    connections: number(values.connections, 'connections') ?? 50,
    sampleIntervalMs: quick ? 250 : 1000,
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await build();
    const result = await runCacheBenchmark(parseCli(process.argv.slice(2)), (line) => console.log(line));
    console.log(`BENCH_HTTP_CACHE_JSON ${JSON.stringify(result)}`);
  } catch (error) {
    console.error(`\nhttp-cache bench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await stopAllChildren(2_000);
    process.exitCode = 2;
  }
}
