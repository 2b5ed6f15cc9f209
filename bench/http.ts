/**
 * HTTP benchmark: the shipped server against a no-GraphQL ceiling and two peer GraphQL servers,
 * side by side, on the same corpus and the same queries.
 *
 *   npx tsx bench/http.ts [--quick] [--corpus 10000] [--seed 1] [--content-dir DIR]
 *                         [--profile] [--profile-out FILE.cpuprofile]
 *                         [--warmup S] [--duration S] [--repetitions N] [--connections N]
 *                         [--servers ours,mercurius,apollo,ceiling] [--queries detail,hotList,...]
 *                         [--workers-corpus 100000] [--no-workers] [--workers-only]
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
 * Then the workers comparison (runWorkersComparison): ours with WORKERS=1 against WORKERS=2 on a
 * generated corpus of `--workers-corpus` articles (default 100,000; 1,000 with `--quick`; kept
 * between runs in $TMPDIR/newsgraph-store-layouts): req/s and CPU per request summed over all the
 * server's processes, and RSS and PSS of all of them together. `--no-workers` skips it;
 * `--workers-only` runs nothing else.
 *
 * The last line is `BENCH_HTTP_JSON {...}`, the whole result as JSON.
 */
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
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
import type { LoadRequest } from './http-load.js';
import { buildHttpQueries, DETAIL_QUERY, DETAIL_SLUG_COUNT, HOT_LIST_QUERY, type HttpQuery } from './http-queries.js';
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
import { cachedCorpus, DEFAULT_CORPORA_DIR } from './lib/corpora.js';
import { mainThreadProfileFile, profileClockMicros, readCpuProfile, summarizeProfile } from './lib/cpu-profile.js';
import { PROJECT_DIR } from './lib/paths.js';
import { loadAverage, processTree, readPss, readRss, systemBusyMs } from './lib/proc.js';
import {
  closeWorkDirectory,
  freePort,
  installExitHandlers,
  openWorkDirectory,
  sleep,
  spawnTracked,
  stopAllChildren,
  stopChild,
  tail,
} from './lib/processes.js';
import { fmt, table, verdict } from './lib/report.js';
import { srcSnapshot } from './lib/source.js';
import { median } from './lib/stats.js';

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
  /** Compare WORKERS=1 with WORKERS=2 (runWorkersComparison) after the servers; null or absent: not. */
  readonly workers?: WorkersOptions | null;
  /** Run the workers comparison only. Default false. */
  readonly workersOnly?: boolean;
}

/** The whole result: the servers' comparison and the workers comparison. */
export type HttpBenchmarkRun = HttpBenchmarkResult & { readonly workers: WorkersComparison | null };

/** Runs the whole benchmark; throws (after stopping every child) on any failure. */
export async function runHttpBenchmark(options: HttpBenchmarkOptions = {}): Promise<HttpBenchmarkRun> {
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
    if (options.workersOnly) {
      if (!options.workers) throw new Error('--workers-only needs the workers comparison (not --no-workers)');
      const load = await LoadGenerator.start();
      const workers = await runWorkersComparison(options.workers, settings, load, work, sampleInt, log);
      await load.stop();
      return {
        corpus: { source: workers.corpus.directory, articles: workers.corpus.articles, publicArticles: Number.NaN, loadMs: Number.NaN },
        src,
        settings,
        rssAtStartMB: {},
        queries: [],
        pass: null,
        profile: null,
        loadAverage: { start: loadAtStart, end: loadAverage() },
        elapsedSeconds: (performance.now() - started) / 1000,
        workers,
      };
    }
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
        workers: null,
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

    const workers = options.workers ? await runWorkersComparison(options.workers, settings, load, work, sampleInt, log) : null;
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
      workers,
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

// ---------------------------------------------------------------------------------------------
// Workers: WORKERS=1 against WORKERS=2
// ---------------------------------------------------------------------------------------------

/** How to run the workers comparison; every field has a default. */
export interface WorkersOptions {
  /** Articles of the generated corpus, kept between runs under `corpora` (bench/lib/corpora.ts). */
  readonly articles: number;
  /** Where generated corpora are kept. Default $TMPDIR/newsgraph-store-layouts. */
  readonly corpora?: string;
  /** The worker counts compared, the first the baseline. Default 1 and 2. */
  readonly counts?: readonly number[];
}

/** The resident memory of a server's processes together (a cluster's primary and workers). */
export interface TreeMemory {
  readonly processes: number;
  /** Sum of each process's Rss: a page mapped by several processes (the content store, the node binary) counts once per process. */
  readonly rssMB: number;
  /** Sum of each process's Pss: a shared page counts once, split between the processes that map it. */
  readonly pssMB: number;
  /** Each process: `primary`, `worker N`, or `server` for WORKERS=1. */
  readonly each: readonly { readonly role: string; readonly rssMB: number; readonly pssMB: number }[];
}

/** One worker count's figures on one query: medians of the timed runs, CPU summed over every process of the server. */
export interface WorkersQueryResult {
  readonly query: string;
  readonly requestsPerSecond: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** CPU of all the server's processes over wall time, in percent of one core. */
  readonly cpuPercent: number;
  readonly cpuMsPerRequest: number;
  readonly generatorCpuPercent: number;
  readonly otherCpuPercent: number;
  readonly runs: readonly number[];
}

/** One worker count: how long it took to serve, its memory once ready and after the timed runs, and each query's figures. */
export interface WorkersResult {
  readonly workers: number;
  readonly startSeconds: number;
  readonly ready: TreeMemory;
  readonly afterRuns: TreeMemory;
  readonly queries: readonly WorkersQueryResult[];
}

/** The workers comparison (the `workers` field of the BENCH_HTTP_JSON line). */
export interface WorkersComparison {
  readonly corpus: { readonly directory: string; readonly articles: number };
  readonly results: readonly WorkersResult[];
  /** Each later count against the first: req/s, CPU per request, RSS and PSS (after the runs) ratios, and the memory target on RSS. */
  readonly ratios: readonly {
    readonly workers: number;
    readonly requestsPerSecond: Record<string, number>;
    readonly cpuMsPerRequest: Record<string, number>;
    readonly rss: number;
    readonly pss: number;
    readonly rssTargetPass: boolean | null;
  }[];
}

/** The memory target of the issue: the RSS of all the processes of 2 workers at most 1.3 times that of 1. */
const WORKERS_RSS_TARGET = 1.3;

/** Ours as `npm start` runs it with WORKERS=count, on both cores; resolves once every worker serves (the start line). */
async function startWorkers(contentDir: string, cacheDir: string, count: number) {
  const port = await freePort('127.0.0.1');
  const child = spawnTracked(['--enable-source-maps'], path.join(PROJECT_DIR, 'dist', 'main.mjs'), [], {
    ...process.env,
    CONTENT_DIR: contentDir,
    CACHE_DIR: cacheDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    WORKERS: String(count),
    ...EXECUTE_EVERY_REQUEST,
  });
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    output += chunk;
  });
  const stderr = tail(child.stderr);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes(`serving GraphQL and GraphiQL at http://127.0.0.1:${port}/graphql`)) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    child.once('exit', (code, signal) => {
      clearInterval(check);
      reject(new Error(`WORKERS=${count} exited (code ${code}, signal ${signal}) before serving:\n${output.slice(-4000)}${stderr()}`));
    });
  });
  /** Who each process of the server is, by pid (the workers' start lines name their pids). */
  const roles = (): Map<number, string> => {
    const roles = new Map([[child.pid!, count === 1 ? 'server' : 'primary']]);
    for (const match of output.matchAll(/worker (\d+): serving version \S+ as pid (\d+)/g))
      roles.set(Number(match[2]), `worker ${match[1]}`);
    return roles;
  };
  const server: RunningServer = { name: 'ours', child, pid: child.pid!, url: `http://127.0.0.1:${port}/graphql`, stderr };
  return { server, startSeconds: (performance.now() - started) / 1000, roles };
}

/** The memory of a process and every process below it now. */
function treeMemory(pid: number, roles: ReadonlyMap<number, string>): TreeMemory {
  const each = processTree(pid).map((member) => ({ role: roles.get(member) ?? `pid ${member}`, ...readPss(member) }));
  return {
    processes: each.length,
    rssMB: each.reduce((sum, member) => sum + member.rssMB, 0),
    pssMB: each.reduce((sum, member) => sum + member.pssMB, 0),
    each,
  };
}

/** One run against a server of several processes, with the CPU all of them used; throws when one of them died. */
async function timedTreeRun(
  load: LoadGenerator,
  server: RunningServer,
  request: Omit<LoadRequest, 'id'>,
  where: string,
  requireResponses: boolean,
): Promise<TimedRun> {
  const pids = processTree(server.pid);
  const run = await timedRun(load, server, request, where, requireResponses, pids);
  if (processTree(server.pid).length !== pids.length) throw new Error(`${where}: a worker died during the run:\n${server.stderr()}`);
  return run;
}

/** POSTs a body on a connection of its own (so that a cluster hands it to the next worker); resolves to the response text. */
function postOnNewConnection(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          response.statusCode === 200 ? resolve(text) : reject(new Error(`status ${response.statusCode}: ${text}`)),
        );
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** The files' slugs (file names without `.md`), evenly spread over their sorted list, `count` of them. */
function spreadSlugs(contentDir: string, count: number): string[] {
  const slugs = (readdirSync(contentDir, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.basename(name, '.md'))
    .sort();
  return Array.from({ length: Math.min(count, slugs.length) }, (_, at) => slugs[Math.floor((at * slugs.length) / count)]!);
}

/**
 * The hot list, and the detail query over 100 published articles spread over the corpus (asked of
 * the server: a draft answers null), as the HTTP benchmark sends them.
 */
async function workersQueries(contentDir: string, url: string): Promise<HttpQuery[]> {
  const published: string[] = [];
  for (const slug of spreadSlugs(contentDir, 2 * DETAIL_SLUG_COUNT)) {
    const text = await postOnNewConnection(
      url,
      JSON.stringify({ query: 'query($slug: String!) { article(slug: $slug) { slug } }', variables: { slug } }),
    );
    if ((JSON.parse(text) as { data: { article: unknown } }).data.article !== null) published.push(slug);
    if (published.length === DETAIL_SLUG_COUNT) break;
  }
  const variables = published.map((slug) => ({ slug }));
  return [
    {
      name: 'hotList',
      title: 'hot list',
      query: HOT_LIST_QUERY,
      variables: [null],
      bodies: [JSON.stringify({ query: HOT_LIST_QUERY })],
    },
    {
      name: 'detail',
      title: `article(slug) detail, rotating through ${published.length} slugs`,
      query: DETAIL_QUERY,
      variables,
      bodies: variables.map((vars) => JSON.stringify({ query: DETAIL_QUERY, variables: vars })),
    },
  ];
}

/**
 * Ours with 1 worker against 2 (WORKERS), over one generated corpus and one content store: req/s
 * and CPU per request (summed over the primary and the workers), and the memory of all the
 * processes together, RSS and PSS, once ready and after the timed runs. The store is prepared by
 * one start first, so that every measured start restores it (no parse garbage in the figures).
 * The servers run on both cores (the load generator stays pinned to core 1): on a 2-core machine,
 * the second worker shares its core with autocannon. Each worker warms up on its own (graphql-jit,
 * V8), so the warm-up lasts the benchmark's warm-up times the worker count.
 */
async function runWorkersComparison(
  options: WorkersOptions,
  settings: HttpSettings,
  load: LoadGenerator,
  work: string,
  sampleInt: number,
  log: (line: string) => void,
): Promise<WorkersComparison> {
  const counts = options.counts ?? [1, 2];
  const { directory } = await cachedCorpus(options.corpora ?? DEFAULT_CORPORA_DIR, options.articles, 1, log);
  const cacheDir = path.join(work, 'cache-workers');
  log(
    `\nworkers: preparing the content store of ${options.articles} articles (WORKERS=${Math.max(...counts)} once: every file parsed, each worker's search index built) ...`,
  );
  const prepared = await startWorkers(directory, cacheDir, Math.max(...counts));
  log(`workers: prepared in ${fmt(prepared.startSeconds, 1)} s`);
  await stopChild(prepared.server.child, 15_000);

  const results: WorkersResult[] = [];
  let queries: HttpQuery[] | null = null;
  const reference = new Map<string, string>();
  for (const count of counts) {
    const { server, startSeconds, roles } = await startWorkers(directory, cacheDir, count);
    await sleep(2_000);
    const ready = treeMemory(server.pid, roles());
    log(
      `workers: WORKERS=${count} served in ${fmt(startSeconds, 1)} s; ${ready.processes} processes, RSS ${fmt(ready.rssMB)} MB, PSS ${fmt(ready.pssMB)} MB`,
    );
    queries ??= await workersQueries(directory, server.url);
    // Every worker answers every body as the first count's server did.
    for (const query of queries) {
      for (const body of query.bodies) {
        for (let round = 0; round < count; round++) {
          const text = await postOnNewConnection(server.url, body);
          if ((JSON.parse(text) as { errors?: unknown }).errors !== undefined)
            throw new Error(`WORKERS=${count} answered with errors: ${text.slice(0, 500)}`);
          if (!reference.has(body)) reference.set(body, text);
          else if (reference.get(body) !== text)
            throw new Error(`WORKERS=${count} answered ${query.name} otherwise than WORKERS=${counts[0]}`);
        }
      }
    }
    const figures: WorkersQueryResult[] = [];
    for (const query of queries) {
      const runOf = (duration: number, label: string) =>
        timedTreeRun(
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
          `WORKERS=${count} / ${query.name} / ${label}`,
          label !== 'warm-up',
        );
      // Each worker compiles and optimizes on its own: the warm-up is as long per worker.
      await runOf(settings.warmupSeconds * count, 'warm-up');
      const runs: TimedRun[] = [];
      for (let repetition = 1; repetition <= settings.repetitions; repetition++)
        runs.push(await runOf(settings.durationSeconds, `repetition ${repetition}`));
      const medianOf = (key: keyof TimedRun) => median(runs.map((run) => run[key] as number));
      figures.push({
        query: query.name,
        requestsPerSecond: medianOf('requestsPerSecond'),
        latencyP50: medianOf('latencyP50'),
        latencyP99: medianOf('latencyP99'),
        cpuPercent: medianOf('serverCpuPercent'),
        cpuMsPerRequest: medianOf('serverCpuMsPerRequest'),
        generatorCpuPercent: medianOf('generatorCpuPercent'),
        otherCpuPercent: medianOf('otherCpuPercent'),
        runs: runs.map((run) => run.requestsPerSecond),
      });
    }
    const afterRuns = treeMemory(server.pid, roles());
    await stopChild(server.child, 15_000);
    results.push({ workers: count, startSeconds, ready, afterRuns, queries: figures });
  }

  const [baseline, ...others] = results as [WorkersResult, ...WorkersResult[]];
  const byQuery = (result: WorkersResult, key: 'requestsPerSecond' | 'cpuMsPerRequest') =>
    Object.fromEntries(result.queries.map((figure, at) => [figure.query, figure[key] / baseline.queries[at]![key]]));
  const ratios = others.map((result) => {
    const rss = result.afterRuns.rssMB / baseline.afterRuns.rssMB;
    return {
      workers: result.workers,
      requestsPerSecond: byQuery(result, 'requestsPerSecond'),
      cpuMsPerRequest: byQuery(result, 'cpuMsPerRequest'),
      rss,
      pss: result.afterRuns.pssMB / baseline.afterRuns.pssMB,
      rssTargetPass: result.workers === 2 && baseline.workers === 1 && Number.isFinite(rss) ? rss <= WORKERS_RSS_TARGET : null,
    };
  });
  const comparison: WorkersComparison = { corpus: { directory, articles: options.articles }, results, ratios };
  printWorkers(comparison, log);
  return comparison;
}

/** Prints the workers comparison: one row per worker count and query, the memory of each process, and the ratios. */
function printWorkers(comparison: WorkersComparison, log: (line: string) => void): void {
  const [baseline] = comparison.results;
  log('');
  log(
    `== workers: ${comparison.corpus.articles} articles, one content store; servers on both cores, autocannon pinned to core ${LOAD_CORE}; CPU summed over every process of the server`,
  );
  const rows: string[][] = [
    [
      'workers',
      'query',
      'req/s',
      'p50 ms',
      'p99 ms',
      'CPU%',
      'CPU ms/req',
      'gen CPU%',
      'other CPU%',
      'req/s ÷ 1',
      'CPU/req ÷ 1',
      'reps req/s',
    ],
  ];
  for (const result of comparison.results) {
    for (const [at, figure] of result.queries.entries()) {
      const base = baseline!.queries[at]!;
      rows.push([
        String(result.workers),
        figure.query,
        fmt(figure.requestsPerSecond),
        fmt(figure.latencyP50, 1),
        fmt(figure.latencyP99, 1),
        fmt(figure.cpuPercent),
        fmt(figure.cpuMsPerRequest, 3),
        fmt(figure.generatorCpuPercent),
        fmt(figure.otherCpuPercent),
        fmt(figure.requestsPerSecond / base.requestsPerSecond, 2),
        fmt(figure.cpuMsPerRequest / base.cpuMsPerRequest, 2),
        figure.runs.map((run) => fmt(run)).join(' / '),
      ]);
    }
  }
  log(table(rows));
  log('');
  const memoryRows: string[][] = [
    [
      'workers',
      'processes',
      'start s',
      'RSS MB ready',
      'PSS MB ready',
      'RSS MB after',
      'PSS MB after',
      'RSS ÷ 1',
      'PSS ÷ 1',
      'each process after (RSS / PSS MB)',
    ],
  ];
  for (const result of comparison.results) {
    memoryRows.push([
      String(result.workers),
      String(result.afterRuns.processes),
      fmt(result.startSeconds, 1),
      fmt(result.ready.rssMB),
      fmt(result.ready.pssMB),
      fmt(result.afterRuns.rssMB),
      fmt(result.afterRuns.pssMB),
      fmt(result.afterRuns.rssMB / baseline!.afterRuns.rssMB, 2),
      fmt(result.afterRuns.pssMB / baseline!.afterRuns.pssMB, 2),
      result.afterRuns.each.map((member) => `${member.role} ${fmt(member.rssMB)} / ${fmt(member.pssMB)}`).join(', '),
    ]);
  }
  log(table(memoryRows));
  for (const ratio of comparison.ratios) {
    log(
      `workers: ${ratio.workers} against 1: RSS of all processes ${fmt(ratio.rss, 2)}× (target ≤ ${WORKERS_RSS_TARGET}: ${verdict(ratio.rssTargetPass)}), ` +
        `PSS ${fmt(ratio.pss, 2)}× (shared pages counted once); the target is on RSS, as the issue words it`,
    );
  }
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
      'workers-corpus': { type: 'string' },
      'no-workers': { type: 'boolean', default: false },
      'workers-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npx tsx bench/http.ts [--quick] [--corpus 10000] [--seed 1] [--content-dir DIR] [--profile] [--profile-out FILE] ' +
        '[--warmup S] [--duration S] [--repetitions N] [--connections N] [--servers ours,mercurius,apollo,ceiling] [--queries detail,hotList,plainList50,related2] ' +
        '[--workers-corpus 100000] [--no-workers] [--workers-only]',
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
    workers: values['no-workers'] ? null : { articles: number(values['workers-corpus'], 'workers-corpus') ?? (quick ? 1_000 : 100_000) },
    workersOnly: values['workers-only'],
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
