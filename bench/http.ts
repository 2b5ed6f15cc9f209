/**
 * HTTP benchmark: the shipped server against a no-GraphQL ceiling and two peer GraphQL servers,
 * side by side, on the same corpus and the same queries.
 *
 *   npx tsx bench/http.ts [--quick] [--corpus 10000] [--seed 1] [--content-dir DIR]
 *                         [--profile] [--profile-out FILE.cpuprofile]
 *                         [--warmup S] [--duration S] [--repetitions N] [--connections N]
 *                         [--servers ours,mercurius,apollo,ceiling] [--queries detail,hotList,...]
 *
 * Defaults: a generated 10,000-article corpus, warm-up 3 s, 3 x 10 s, 50 connections, pipelining 1.
 * `--quick`: 1,000 articles, warm-up 0.5 s, 3 x 1 s (about 90 s in all). The exit code is 0 even
 * when a target fails (see `pass` in the JSON); 2 when the run itself fails (wrong data, errors,
 * non-2xx, timeouts, a server dying).
 *
 * Servers (each its own process pinned to core 0 with `taskset -c 0`, bound to 127.0.0.1):
 * - ceiling:   bare node:http answering each request body with its pre-serialised response;
 * - mercurius: fastify + mercurius + graphql-jit (`jit: 1`) on the same Pothos schema and context;
 * - apollo:    Apollo Server 4 standalone on the same schema and context;
 * - ours:      `dist/main.mjs` as `npm start` builds and runs it (CONTENT_DIR, PORT, HOST=127.0.0.1, LOG_LEVEL=warn),
 *              with the response cache off (RESPONSE_CACHE_BYTES=0), so that every request is executed
 *              as by the peers; bench/http-cache.ts measures the caches.
 * The load generator (autocannon, programmatic API) is a child process pinned to core 1.
 *
 * Protocol per (server, query): one correctness pass (each request body twice, `data` deeply equal
 * to graphql-js' own execution of the schema), a warm-up, then N timed repetitions (interleaved
 * across servers so drift hits every server alike); the median req/s, p50 and p99 are reported, and
 * any error, non-2xx or timeout aborts the run. RSS is read from /proc/<pid>/status after each query.
 * The CPU each process used during each run is read from /proc too: the server's CPU ms per request
 * stays meaningful when other processes steal the core (the `other CPU%` column shows how much).
 * For ours, DataLoader batch calls (yoga in-process, `reportBatchCalls`) and resolver calls (a
 * wrapped copy of the schema, graphql-js execute) per request are reported too.
 *
 * The last line is `BENCH_HTTP_JSON {...}`, the whole result as JSON.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.mjs';
import { loadCorpus } from '../src/content/load.js';
import { generateCorpus } from './generate.js';
import { checkCorrectness, expectedData } from './http-correctness.js';
import { assertClean, LOAD_CORE, LoadGenerator, timedRun } from './http-generator.js';
import { buildHttpQueries, type HttpQuery } from './http-queries.js';
import { printProfile, printQuery } from './http-report.js';
import {
  type HttpBenchmarkResult,
  type HttpSettings,
  type QueryResult,
  type ServerQueryResult,
  serverResult,
  type TimedRun,
  targetsOf,
} from './http-results.js';
import {
  EXECUTE_EVERY_REQUEST,
  type RunningServer,
  SERVER_CORE,
  SERVER_NAMES,
  type ServerName,
  startOurs,
  startPeer,
} from './http-servers.js';
import type { QueryWork } from './http-work.js';
import { measureWork } from './http-work.js';
import { LOAD_RUN_FLAGS } from './lib/args.js';
import { mainThreadProfileFile, profileClockMicros, readCpuProfile, summarizeProfile } from './lib/cpu-profile.js';
import { loadAverage, readRss, systemBusyMs } from './lib/proc.js';
import { closeWorkDirectory, installExitHandlers, openWorkDirectory, sleep, stopAllChildren, stopChild } from './lib/processes.js';
import { fmt, verdict } from './lib/report.js';
import { srcSnapshot } from './lib/source.js';

/** How to run the HTTP benchmark; every field has a default. */
export interface HttpBenchmarkOptions {
  /** Articles of the generated corpus (ignored with contentDir). Default 10,000. */
  readonly articles?: number;
  /** Generator seed. Default 1. */
  readonly seed?: number;
  /** Serve this directory instead of generating a corpus. */
  readonly contentDir?: string;
  /** Seconds of warm-up per (server, query). Default 3. */
  readonly warmupSeconds?: number;
  /** Seconds of each timed repetition. Default 10. */
  readonly durationSeconds?: number;
  /** Timed repetitions per (server, query); the median is reported. Default 3. */
  readonly repetitions?: number;
  /** Concurrent connections. Default 50. */
  readonly connections?: number;
  /** Requests in flight per connection. Default 1. */
  readonly pipelining?: number;
  /** autocannon's sample interval in ms (a run ends on a sample tick). Default 1000. */
  readonly sampleIntervalMs?: number;
  /** Which servers to run. Default all. */
  readonly servers?: readonly ServerName[];
  /** Which queries to run (by name). Default all. */
  readonly queries?: readonly string[];
  /** Also profile ours (`--cpu-prof`) under the hot list and rank self time. Default false. */
  readonly profile?: boolean;
  /** Copy the profile (`.cpuprofile`, opens in Chrome DevTools) to this file. */
  readonly profileOut?: string;
  /** Progress and tables go here. Default console.log. */
  readonly log?: (line: string) => void;
  /** Stop after the correctness pass, timing nothing (what CI runs). Default false. */
  readonly correctnessOnly?: boolean;
}

/** Runs the whole benchmark; throws (after stopping every child) on any failure. */
export async function runHttpBenchmark(options: HttpBenchmarkOptions = {}): Promise<HttpBenchmarkResult> {
  installExitHandlers('http bench');
  const started = performance.now();
  const write = options.log ?? ((line: string) => console.log(line));
  // Progress lines carry the elapsed time; blank lines and tables pass through.
  const log = (line: string) =>
    write(
      line === '' || line.includes('\n') || /^[=\s]/.test(line)
        ? line
        : `[${fmt((performance.now() - started) / 1000, 1).padStart(5)} s] ${line}`,
    );
  const settings: HttpSettings = {
    warmupSeconds: options.warmupSeconds ?? 3,
    durationSeconds: options.durationSeconds ?? 10,
    repetitions: options.repetitions ?? 3,
    connections: options.connections ?? 50,
    pipelining: options.pipelining ?? 1,
    node: process.version,
    cpus: os.cpus().length,
  };
  const sampleInt = options.sampleIntervalMs ?? 1000;
  const serverNames = options.servers ?? SERVER_NAMES;
  if (!existsSync('/usr/bin/taskset') && !existsSync('/bin/taskset'))
    throw new Error('taskset (util-linux) is required to pin the processes');
  if (settings.cpus < 2) throw new Error('the benchmark needs 2 cores: servers on core 0, the load generator on core 1');

  const src = srcSnapshot();
  const loadAtStart = loadAverage();
  // The load average lags (it still counts the last run); measure what the machine does right now.
  const busy0 = systemBusyMs();
  await sleep(1_000);
  const busyPercent = (systemBusyMs() - busy0) / 10;
  if (busyPercent > 30) {
    log(
      `WARNING: other processes use ${fmt(busyPercent)}% of a core right now: req/s will be low and noisy (CPU ms/req is more robust; see the other CPU% column)`,
    );
  }
  const work = openWorkDirectory('newsgraph-http-bench-');
  try {
    // The corpus.
    let contentDir = options.contentDir;
    let source = contentDir ?? '';
    if (contentDir === undefined) {
      const articles = options.articles ?? 10_000;
      contentDir = path.join(work, 'corpus');
      const t = performance.now();
      const generated = await generateCorpus({ directory: contentDir, articles, seed: options.seed ?? 1 });
      source = `generated: ${generated.files} articles, seed ${options.seed ?? 1}`;
      log(
        `generated ${generated.files} articles (${fmt(generated.bytes / 1048576, 1)} MiB) in ${fmt((performance.now() - t) / 1000, 1)} s`,
      );
    }
    // The GraphQL servers load the corpus while this process computes the expected responses
    // (rejections are handled where they are awaited); the ceiling needs those responses first.
    const contentDirectory = contentDir;
    log(`starting ${serverNames.filter((name) => name !== 'ceiling').join(', ')} on core ${SERVER_CORE} ...`);
    const starting = new Map<ServerName, Promise<RunningServer>>(
      serverNames
        .filter((name) => name !== 'ceiling')
        .map((name) => [
          name,
          name === 'ours'
            ? startOurs(contentDirectory, path.join(work, 'cache'), [], undefined, 'ours', EXECUTE_EVERY_REQUEST)
            : name === 'ours-heap'
              ? startOurs(contentDirectory, 'off', [], undefined, 'ours-heap', EXECUTE_EVERY_REQUEST)
              : startPeer(name, contentDirectory, ''),
        ]),
    );
    for (const promise of starting.values()) promise.catch(() => undefined);
    const loaded = await loadCorpus(contentDir);
    const corpus = loaded.corpus;
    log(`src/ ${src.sha1} (newest change ${src.newestChange}); node ${process.version}`);
    log(
      `loaded ${corpus.preview.stats.articles} articles (${corpus.public.stats.articles} public) in ${fmt(loaded.timings.totalMs)} ms from ${contentDir}`,
    );

    // Queries, expected data, the ceiling's responses, ours' in-process work.
    const queries = buildHttpQueries(corpus.public).filter((query) => !options.queries || options.queries.includes(query.name));
    if (queries.length === 0)
      throw new Error(
        `no query selected; known: ${buildHttpQueries(corpus.public)
          .map((query) => query.name)
          .join(', ')}`,
      );
    const expected = new Map<string, unknown[]>();
    const responses: Record<string, string> = {};
    const works = new Map<string, QueryWork>();
    for (const query of queries) {
      const data = await expectedData(corpus, query);
      expected.set(query.name, data);
      query.bodies.forEach((body, i) => {
        responses[body] = JSON.stringify({ data: data[i] });
      });
      works.set(query.name, await measureWork(corpus, query, data));
    }
    const responsesFile = path.join(work, 'ceiling-responses.json');
    writeFileSync(responsesFile, JSON.stringify(responses));

    // Servers (all on core 0; idle ones cost nothing) and the load generator (core 1).
    if (serverNames.includes('ceiling')) starting.set('ceiling', startPeer('ceiling', contentDir, responsesFile));
    log(`waiting for the servers; starting autocannon on core ${LOAD_CORE} ...`);
    const servers: RunningServer[] = await Promise.all(serverNames.map((name) => starting.get(name)!));
    const load = await LoadGenerator.start();
    const rssAtStartMB: Partial<Record<ServerName, number>> = {};
    for (const server of servers) rssAtStartMB[server.name] = readRss(server.pid).rssMB;
    log(`RSS once ready: ${servers.map((server) => `${server.name} ${fmt(rssAtStartMB[server.name]!)} MB`).join(', ')}`);

    // Correctness first, for every server and query.
    for (const server of servers) for (const query of queries) await checkCorrectness(server, query, expected.get(query.name)!);
    log(
      `correctness: every server answers every query body with the expected data (${queries.reduce((n, q) => n + q.bodies.length, 0)} bodies, twice each)`,
    );
    if (options.correctnessOnly) {
      const elapsedSeconds = (performance.now() - started) / 1000;
      return {
        corpus: {
          source,
          articles: corpus.preview.stats.articles,
          publicArticles: corpus.public.stats.articles,
          loadMs: loaded.timings.totalMs,
        },
        src,
        settings,
        rssAtStartMB,
        queries: [],
        pass: null,
        profile: null,
        loadAverage: { start: loadAtStart, end: loadAverage() },
        elapsedSeconds,
      };
    }

    const runLoad = (server: RunningServer, query: HttpQuery, duration: number, label: string): Promise<TimedRun> =>
      timedRun(
        load,
        server,
        {
          url: server.url,
          bodies: query.bodies,
          connections: settings.connections,
          pipelining: settings.pipelining,
          duration,
          timeout: 10,
          sampleInt,
        },
        `${server.name} / ${query.name} / ${label}`,
        label !== 'warm-up',
      );

    const results: QueryResult[] = [];
    for (const query of queries) {
      log(
        `\nrunning ${query.name}: warm-up ${settings.warmupSeconds} s, then ${settings.repetitions} x ${settings.durationSeconds} s per server ...`,
      );
      for (const server of servers) await runLoad(server, query, settings.warmupSeconds, 'warm-up');
      const runs = new Map<ServerName, TimedRun[]>(servers.map((server) => [server.name, []]));
      for (let repetition = 1; repetition <= settings.repetitions; repetition++) {
        for (const server of servers)
          runs.get(server.name)!.push(await runLoad(server, query, settings.durationSeconds, `repetition ${repetition}`));
      }
      const byServer = new Map<ServerName, ServerQueryResult>(
        servers.map((server) => [server.name, serverResult(server.name, server.pid, runs.get(server.name)!)]),
      );
      const { oursOver, oursOverByCpu, p99, targets } = targetsOf(byServer);
      const result: QueryResult = {
        name: query.name,
        title: query.title,
        bodies: query.bodies.length,
        work: works.get(query.name)!,
        servers: [...byServer.values()],
        oursOver,
        oursOverByCpu,
        p99OursOverMercurius: p99,
        targets,
      };
      results.push(result);
      printQuery(result, log, query.name === 'hotList');
    }

    await Promise.all(servers.map((server) => stopChild(server.child, 12_000)));

    // Profile ours under the hot list, on a fresh process, outside the timed runs.
    let profile: HttpBenchmarkResult['profile'] = null;
    const hotList = queries.find((query) => query.name === 'hotList');
    if (options.profile && hotList)
      profile = await profileOurs(contentDir, hotList, load, settings, sampleInt, work, log, options.profileOut);

    await load.stop();

    const hot = results.find((result) => result.name === 'hotList');
    const decided = hot ? hot.targets.filter((target) => target.pass !== null) : [];
    const pass = decided.length === 0 ? null : decided.every((target) => target.pass === true);
    const elapsedSeconds = (performance.now() - started) / 1000;
    log('');
    const loadAtEnd = loadAverage();
    const srcAtEnd = srcSnapshot();
    if (srcAtEnd.sha1 !== src.sha1)
      log(
        `WARNING: src/ changed during the run (${src.sha1} -> ${srcAtEnd.sha1}, at ${srcAtEnd.newestChange}); a server started after the change (the profiled one) ran other code`,
      );
    log(
      `hot-list targets: ${verdict(pass)}${hot ? ` (${hot.targets.map((target) => `${target.name} ${verdict(target.pass)}`).join(', ')})` : ''}; elapsed ${fmt(elapsedSeconds)} s; load average ${fmt(loadAtStart, 2)} -> ${fmt(loadAtEnd, 2)}`,
    );
    return {
      corpus: {
        source,
        articles: corpus.preview.stats.articles,
        publicArticles: corpus.public.stats.articles,
        loadMs: loaded.timings.totalMs,
      },
      src,
      settings,
      rssAtStartMB,
      queries: results,
      pass,
      profile,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      elapsedSeconds,
    };
  } finally {
    await closeWorkDirectory(work);
  }
}

/**
 * Starts ours with `--cpu-prof`, warms it up on the hot list, loads it for one repetition, stops it
 * (SIGTERM: the profile is written at exit) and ranks self time over the loaded window only.
 */
async function profileOurs(
  contentDir: string,
  query: HttpQuery,
  load: LoadGenerator,
  settings: HttpSettings,
  sampleInt: number,
  work: string,
  log: (line: string) => void,
  profileOut: string | undefined,
): Promise<NonNullable<HttpBenchmarkResult['profile']>> {
  const profileDir = path.join(work, 'cpu-prof');
  log(`\nprofiling ours on ${query.name} (--cpu-prof, warm-up ${settings.warmupSeconds} s, profiled ${settings.durationSeconds} s) ...`);
  const server = await startOurs(
    contentDir,
    path.join(work, 'cache'),
    ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    undefined,
    'ours',
    EXECUTE_EVERY_REQUEST,
  );
  const request = {
    url: server.url,
    bodies: query.bodies,
    connections: settings.connections,
    pipelining: settings.pipelining,
    timeout: 10,
    sampleInt,
  };
  assertClean(await load.run({ ...request, duration: settings.warmupSeconds }), `ours (profiled) / ${query.name} / warm-up`, false);
  const from = profileClockMicros();
  const summary = await load.run({ ...request, duration: settings.durationSeconds });
  const to = profileClockMicros();
  assertClean(summary, `ours (profiled) / ${query.name}`);
  await stopChild(server.child, 15_000);
  const file = mainThreadProfileFile(profileDir);
  if (file === null)
    throw new Error(`--cpu-prof wrote no profile in ${profileDir} (exit code ${server.child.exitCode}, signal ${server.child.signalCode})`);
  if (profileOut) {
    copyFileSync(file, profileOut);
    log(`profile copied to ${profileOut}`);
  }
  const report = summarizeProfile(readCpuProfile(file), { window: { fromMicros: from, toMicros: to }, top: 25 });
  printProfile(report, summary.requestsPerSecond, log);
  return { ...report, inclusive: report.inclusive.slice(0, 200), requestsPerSecond: summary.requestsPerSecond };
}

/** The options of the command line (`--quick` changes the defaults). */
function parseCli(argv: readonly string[]): HttpBenchmarkOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...LOAD_RUN_FLAGS,
      'content-dir': { type: 'string' },
      servers: { type: 'string' },
      queries: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'profile-out': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npx tsx bench/http.ts [--quick] [--corpus 10000] [--seed 1] [--content-dir DIR] [--profile] [--profile-out FILE] ' +
        '[--warmup S] [--duration S] [--repetitions N] [--connections N] [--servers ours,mercurius,apollo,ceiling] [--queries detail,hotList,plainList50,related2]',
    );
    process.exit(0);
  }
  const number = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number, found "${value}"`);
    return parsed;
  };
  const quick = values.quick;
  const servers = values.servers?.split(',').map((name) => name.trim()) as ServerName[] | undefined;
  for (const name of servers ?? [])
    if (!SERVER_NAMES.includes(name)) throw new Error(`unknown server "${name}"; known: ${SERVER_NAMES.join(', ')}`);
  return {
    articles: number(values.corpus, 'corpus') ?? (quick ? 1_000 : 10_000),
    ...(values.seed ? { seed: number(values.seed, 'seed')! } : {}),
    ...(values['content-dir'] ? { contentDir: values['content-dir'] } : {}),
    warmupSeconds: number(values.warmup, 'warmup') ?? (quick ? 0.5 : 3),
    durationSeconds: number(values.duration, 'duration') ?? (quick ? 1 : 10),
    repetitions: number(values.repetitions, 'repetitions') ?? 3,
    connections: number(values.connections, 'connections') ?? 50,
    sampleIntervalMs: quick ? 250 : 1000,
    ...(servers ? { servers } : {}),
    ...(values.queries ? { queries: values.queries.split(',').map((name) => name.trim()) } : {}),
    profile: values.profile || values['profile-out'] !== undefined,
    ...(values['profile-out'] ? { profileOut: path.resolve(values['profile-out']) } : {}),
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await build();
    const result = await runHttpBenchmark(parseCli(process.argv.slice(2)));
    console.log(`BENCH_HTTP_JSON ${JSON.stringify(result)}`);
  } catch (error) {
    console.error(`\nhttp bench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await stopAllChildren(2_000);
    process.exitCode = 2;
  }
}
