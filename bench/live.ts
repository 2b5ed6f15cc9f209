/**
 * Live-content benchmark: the server as `npm start` runs it (`node --enable-source-maps main.mjs`,
 * compiled as `npm run build` compiles it, into dist-bench/live/), watching its content directory,
 * on a generated corpus, measured over HTTP while files change under it.
 *
 *   npx tsx bench/live.ts [--quick] [--articles 100000] [--edits 200] [--idle-seconds 10]
 *                         [--burst 10000] [--cold-runs 3] [--later-seconds 30] [--seed 1] [--profile]
 *
 * Defaults: 100,000 articles, 2 x 200 edits, 10 s idle, a burst of 10,000 files, 3 cold loads.
 * `--quick`: 10,000 articles, 2 x 50 edits, 3 s idle, a burst of 1,000 files, 1 cold load.
 *
 * 1. Edits: one at a time, cycling through a title change, a new file, a rename and a deletion.
 *    After each write the benchmark asks `article(slug:)` every 2 ms until the answer shows the
 *    change (the new title; null for a deleted or renamed-away slug and the title under the new
 *    name); the latency is from the end of the write to that answer. Two series: `spaced`, each
 *    edit 600 ms after the last was visible (someone saving files: @parcel/watcher reports a change
 *    at once when it reported nothing in the last 500 ms), and `rapid`, 20 ms after (a tool writing
 *    one file after another: @parcel/watcher then waits 50 ms for more). The server's own figure
 *    for each update (its `content version ... in <ms> ms` line, from the first event it heard) is
 *    printed beside them.
 * 2. Idle: no request and no change for the idle window; the server's user + system CPU time from
 *    /proc/<pid>/stat over it, as % of one core.
 * 3. Burst: rewrites `burst` existing files at once (64 writes in flight, like a checkout), each
 *    with a title holding one marker word. It asks `contentHealth { version }` every 5 ms and, on
 *    each new version, how many articles match the marker (`filter: { search }`): the burst is
 *    visible when that count is the burst size. RSS is sampled every 50 ms (VmRSS) and the kernel's
 *    peak is reset before the burst (clear_refs 5, VmHWM); RSS is read again 5 s after the burst
 *    was visible (the target), and `--later-seconds` after (30; quick 10), to tell a heap V8 has not
 *    given back yet from one that stays.
 *    Baseline, in the same run before the live server starts: spawn to first 200 of a server
 *    cold-loading a generated corpus of `burst` articles with a fresh CACHE_DIR (median).
 *
 * Every server gets a fresh CACHE_DIR, PREVIEW_TOKEN, SITE_URL (so the generated archive's
 * relative logo URLs resolve instead of logging a warning each), LOG_LEVEL=info, a free port on
 * 127.0.0.1, and no CPU pinning. `--profile` runs the live server under `--cpu-prof` and ranks
 * its main thread's self time during the edits and during the burst. The last line is
 * `BENCH_LIVE_JSON {...}`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compile, WORKER_ENTRIES } from '../scripts/build.mjs';
import { generateCorpus } from './generate.js';
import { mainThreadProfileFile, type ProfileWindow, profileClockMicros, readCpuProfile, summarizeProfile } from './lib/cpu-profile.js';
import { listSync } from './lib/measure.js';
import { PROJECT_DIR } from './lib/paths.js';
import { cpuMs, loadAverage, readRss, systemBusyMs } from './lib/proc.js';
import { closeWorkDirectory, freePort, installExitHandlers, openWorkDirectory, sleep, spawnTracked, stopChild } from './lib/processes.js';
import { fmt, table } from './lib/report.js';
import { srcSnapshot } from './lib/source.js';
import { median, round } from './lib/stats.js';

/**
 * The server as `npm run build` compiles it (same entry points, same settings), into a folder of
 * this benchmark's own: a rebuild of dist/ while the benchmark runs cannot pull it away.
 */
const SERVER_BUILD_DIR = path.join(PROJECT_DIR, 'dist-bench', 'live');
const HOST = '127.0.0.1';
const PREVIEW_TOKEN = 'live-bench-preview-token';
/** Resolves the generated archive's relative logo URLs, so the server does not log a warning per file. */
const SITE_URL = 'https://newsgraph.example';
/** The pause before each edit of the spaced series: longer than @parcel/watcher's 500 ms, so each change is reported at once. */
const SPACED_GAP_MS = 600;
/** The pause before each edit of the rapid series: @parcel/watcher batches each change with the next 50 ms. */
const RAPID_GAP_MS = 20;
/** Poll interval while waiting for one edit. */
const EDIT_POLL_MS = 2;
/** Poll interval of the version while waiting for the burst. */
const BURST_POLL_MS = 5;
/** RSS sample interval during the burst. */
const RSS_SAMPLE_MS = 50;
/** How long after the burst RSS is read again. */
const SETTLE_AFTER_BURST_MS = 5_000;
/** Writes in flight during the burst. */
const BURST_CONCURRENCY = 64;
/** An edit not visible after this long counts as failed. */
const EDIT_TIMEOUT_MS = 10_000;
/** The word every burst title carries; no generated word starts with `zq`. */
const BURST_MARKER = 'zqlivebenchburst';
/** A `content version <id> in <ms> ms: A added, U updated, R removed` line of the server log. */
const VERSION_LINE = /content version (\S+) in (\d+) ms: (\d+) added, (\d+) updated, (\d+) removed/;

/** The targets of the issue, each printed with PASS or MISS. */
const TARGETS = { editP99Ms: 100, idleCpuPercent: 1, burstOverColdLoad: 1.2, rssGrowthPercent: 10 } as const;

/** How to run the benchmark. */
interface Options {
  readonly articles: number;
  readonly edits: number;
  readonly idleSeconds: number;
  readonly burst: number;
  readonly coldRuns: number;
  /** When RSS is read a second time after the burst. */
  readonly laterSeconds: number;
  readonly seed: number;
  readonly profile: boolean;
}

/** The kinds of edit, in the order they are cycled through. */
const EDIT_KINDS = ['change', 'add', 'rename', 'delete'] as const;
type EditKind = (typeof EDIT_KINDS)[number];

/** One timed edit. */
interface EditResult {
  readonly kind: EditKind;
  /** From the end of the write to the first answer that showed it; Infinity when it never did. */
  readonly latencyMs: number;
  readonly polls: number;
}

/** A server process under measurement. */
interface LiveServer {
  readonly child: ChildProcess;
  /** The process that serves (a child of `child` when the server restarted itself with a larger heap). */
  readonly pid: number;
  readonly url: string;
  /** Spawn to the first 200 of a GraphQL query. */
  readonly servingMs: number;
  /** Everything the server logged so far. */
  readonly output: () => string;
}

/** The command-line options, with `--quick` changing the defaults. */
function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      articles: { type: 'string' },
      edits: { type: 'string' },
      'idle-seconds': { type: 'string' },
      burst: { type: 'string' },
      'cold-runs': { type: 'string' },
      'later-seconds': { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const positive = (text: string | undefined, name: string, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text.replace(/_/g, ''));
    if (!(value > 0)) throw new Error(`--${name} must be a positive number, found "${text}"`);
    return value;
  };
  const quick = values.quick;
  return {
    articles: positive(values.articles, 'articles', quick ? 10_000 : 100_000),
    edits: positive(values.edits, 'edits', quick ? 50 : 200),
    idleSeconds: positive(values['idle-seconds'], 'idle-seconds', quick ? 3 : 10),
    burst: positive(values.burst, 'burst', quick ? 1_000 : 10_000),
    coldRuns: positive(values['cold-runs'], 'cold-runs', quick ? 1 : 3),
    laterSeconds: positive(values['later-seconds'], 'later-seconds', quick ? 10 : 30),
    seed: Number(values.seed ?? '1'),
    profile: values.profile,
  };
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/** What the requests of the benchmark met: the slowest answer, and connections dropped under a request. */
const requestStats = { slowestMs: 0, dropped: 0, why: [] as string[] };

/**
 * Posts a GraphQL document with the preview token; throws on a non-200 answer or errors. A request
 * whose connection is dropped is sent again (twice at most) and counted: the server closes idle
 * keep-alive connections when its event loop comes back from a long block, even one that holds a
 * request it has not read yet.
 */
async function graphql<TData>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<TData> {
  for (let attempt = 1; ; attempt++) {
    const sent = performance.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PREVIEW_TOKEN}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      requestStats.dropped++;
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      requestStats.why.push(
        `${(error as Error).message}: ${cause?.code ?? ''} ${cause?.message ?? ''} after ${fmt(performance.now() - sent)} ms`,
      );
      if (attempt === 3) throw error;
      continue;
    }
    const body = (await response.json()) as { data?: TData; errors?: { message: string }[] };
    requestStats.slowestMs = Math.max(requestStats.slowestMs, performance.now() - sent);
    if (response.status !== 200 || body.errors !== undefined) {
      throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
    }
    return body.data!;
  }
}

/** The pid of the process that serves: the server's child when it started again with a larger heap limit (src/main.ts). */
function servingPid(child: ChildProcess, output: string): number {
  if (!output.includes('starting again with --max-old-space-size')) return child.pid!;
  const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const server = children.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.mjs');
    } catch {
      return false;
    }
  });
  if (server === undefined) throw new Error(`the server restarted itself, but no child of ${child.pid} runs main.mjs`);
  return server;
}

/** Starts the compiled server (SERVER_BUILD_DIR/main.mjs) on `contentDir` with a fresh `cacheDir`; resolves at its first 200 on a GraphQL query. */
async function startServer(
  contentDir: string,
  cacheDir: string,
  nodeArgs: readonly string[] = [],
  timeoutMs = 900_000,
): Promise<LiveServer> {
  const port = await freePort(HOST);
  const env = {
    ...process.env,
    CONTENT_DIR: contentDir,
    CACHE_DIR: cacheDir,
    PREVIEW_TOKEN,
    SITE_URL,
    PORT: String(port),
    HOST,
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  };
  const started = performance.now();
  const child = spawnTracked(['--enable-source-maps', ...nodeArgs], path.join(SERVER_BUILD_DIR, 'main.mjs'), [], env);
  let output = '';
  const record = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  const url = `http://${HOST}:${port}/graphql`;
  const body = JSON.stringify({ query: '{ articles(first: 1) { totalCount } }' });
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (code ${child.exitCode}, signal ${child.signalCode}) before serving:\n${output.slice(-4000)}`);
    }
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`the server was not serving within ${timeoutMs / 1000} s:\n${output.slice(-4000)}`);
    await sleep(10);
  }
  const servingMs = performance.now() - started;
  return { child, pid: servingPid(child, output), url, servingMs, output: () => output };
}

/** Spawn to first 200 of cold loads (fresh CACHE_DIR each) of `contentDir`, one after the other. */
async function measureColdLoads(contentDir: string, work: string, runs: number, log: (line: string) => void): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cacheDir = path.join(work, `cold-cache-${run}`);
    const server = await startServer(contentDir, cacheDir);
    times.push(server.servingMs);
    await stopChild(server.child, 15_000);
    rmSync(cacheDir, { recursive: true, force: true });
    log(`cold load ${run + 1}/${runs}: first 200 after ${fmt(server.servingMs)} ms`);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

/** The slug the server gives a content file: its name without the extension. */
function slugOf(file: string): string {
  return path.basename(file, '.md');
}

/** A small valid article with a URL of its own. */
function newArticle(title: string, name: string): string {
  return [
    '---',
    `title: ${JSON.stringify(title)}`,
    'excerpt: "Written by the live-content benchmark."',
    'publishedDateTime: 2025-06-01T12:00:00Z',
    `webUrl: "https://live-bench.example/news/added-${name}"`,
    'provider:',
    '  name: Live Bench',
    '  domain: live-bench.example',
    'topics:',
    '  - Live Benchmark',
    '---',
    '',
  ].join('\n');
}

/** `text` with its front-matter title replaced. */
function withTitle(text: string, title: string): string {
  const replaced = text.replace(/^title: .*$/m, `title: ${JSON.stringify(title)}`);
  if (replaced === text) throw new Error('no title line to replace');
  return replaced;
}

/** Polls `visible` every EDIT_POLL_MS from `writtenAt` until it holds; the latency and the number of polls. */
async function timeUntil(writtenAt: number, visible: () => Promise<boolean>): Promise<{ latencyMs: number; polls: number }> {
  let polls = 0;
  for (;;) {
    polls++;
    if (await visible()) return { latencyMs: performance.now() - writtenAt, polls };
    if (performance.now() - writtenAt > EDIT_TIMEOUT_MS) return { latencyMs: Infinity, polls };
    await sleep(EDIT_POLL_MS);
  }
}

/** The title the server gives `slug`, or null when it serves no such article. */
async function servedTitle(url: string, slug: string): Promise<string | null> {
  const data = await graphql<{ article: { title: string } | null }>(url, 'query($slug: String!) { article(slug: $slug) { title } }', {
    slug,
  });
  return data.article?.title ?? null;
}

/**
 * Runs `count` edits, one at a time and `gapMs` apart, on files taken from `pool` (which it
 * shrinks), and times each until the server shows it. `series` names the files it adds.
 */
async function runEdits(
  server: LiveServer,
  contentDir: string,
  pool: string[],
  count: number,
  gapMs: number,
  series: string,
  log: (line: string) => void,
): Promise<EditResult[]> {
  const results: EditResult[] = [];
  const take = () => {
    const file = pool.pop();
    if (file === undefined) throw new Error('the corpus has too few files for the edits');
    return file;
  };
  const both = 'query($old: String!, $new: String!) { old: article(slug: $old) { title } renamed: article(slug: $new) { title } }';
  for (let index = 0; index < count; index++) {
    await sleep(gapMs);
    const kind = EDIT_KINDS[index % EDIT_KINDS.length]!;
    const name = `${series}-${index}`;
    let writtenAt: number;
    let visible: () => Promise<boolean>;
    if (kind === 'change') {
      const file = take();
      const title = `Live edit ${name} of the benchmark`;
      const text = withTitle(readFileSync(file, 'utf8'), title);
      writeFileSync(file, text);
      writtenAt = performance.now();
      visible = async () => (await servedTitle(server.url, slugOf(file))) === title;
    } else if (kind === 'add') {
      const file = path.join(contentDir, '_news', `live-bench-added-${name}.md`);
      const title = `Live addition ${name} of the benchmark`;
      const text = newArticle(title, name);
      writeFileSync(file, text);
      writtenAt = performance.now();
      visible = async () => (await servedTitle(server.url, slugOf(file))) === title;
    } else if (kind === 'rename') {
      const file = take();
      const title = await servedTitle(server.url, slugOf(file));
      if (title === null) throw new Error(`the server does not serve ${slugOf(file)}`);
      const target = path.join(path.dirname(file), `live-bench-renamed-${name}.md`);
      renameSync(file, target);
      writtenAt = performance.now();
      visible = async () => {
        const data = await graphql<{ old: { title: string } | null; renamed: { title: string } | null }>(server.url, both, {
          old: slugOf(file),
          new: slugOf(target),
        });
        return data.old === null && data.renamed?.title === title;
      };
    } else {
      const file = take();
      unlinkSync(file);
      writtenAt = performance.now();
      visible = async () => (await servedTitle(server.url, slugOf(file))) === null;
    }
    const { latencyMs, polls } = await timeUntil(writtenAt, visible);
    results.push({ kind, latencyMs, polls });
    if (!Number.isFinite(latencyMs)) log(`edit ${name} (${kind}) was not visible after ${EDIT_TIMEOUT_MS} ms`);
  }
  return results;
}

/** What one series of edits measured. */
interface EditSeries {
  readonly name: string;
  readonly gapMs: number;
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Edits never visible within EDIT_TIMEOUT_MS. */
  readonly failed: number;
  readonly byKind: Record<EditKind, { readonly count: number; readonly p50: number; readonly p99: number; readonly max: number }>;
  /** The server's own figures (its `content version` lines: first event to the version published). */
  readonly server: { readonly updates: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly latencies: readonly number[];
  /** The slowest answer to any request of the series. */
  readonly slowestRequestMs: number;
  /** Requests sent again because their connection was dropped. */
  readonly droppedConnections: number;
  /** What fetch said about each dropped connection. */
  readonly droppedBecause: readonly string[];
  readonly window: ProfileWindow;
}

/** Runs one series of edits (runEdits) and sums it up with the server's own figures for the same updates. */
async function measureEdits(
  server: LiveServer,
  contentDir: string,
  pool: string[],
  count: number,
  gapMs: number,
  series: string,
  log: (line: string) => void,
): Promise<EditSeries> {
  log(`edits (${series}): ${count}, one at a time, ${gapMs} ms after the last was visible, cycling through ${EDIT_KINDS.join(', ')} ...`);
  const logFrom = server.output().length;
  Object.assign(requestStats, { slowestMs: 0, dropped: 0, why: [] });
  const window = { fromMicros: profileClockMicros(), toMicros: 0 };
  const edits = await runEdits(server, contentDir, pool, count, gapMs, series, log);
  window.toMicros = profileClockMicros();
  const serverMs = versionLines(server.output().slice(logFrom)).map((update) => update.ms);
  const spread = (values: readonly number[]) => ({ p50: quantile(values, 0.5), p99: quantile(values, 0.99), max: Math.max(...values) });
  const latencies = edits.map((edit) => edit.latencyMs);
  const byKind = Object.fromEntries(
    EDIT_KINDS.map((kind) => {
      const of = edits.filter((edit) => edit.kind === kind).map((edit) => edit.latencyMs);
      return [kind, { count: of.length, ...spread(of) }];
    }),
  ) as EditSeries['byKind'];
  const result: EditSeries = {
    name: series,
    gapMs,
    count,
    ...spread(latencies),
    failed: latencies.filter((latency) => !Number.isFinite(latency)).length,
    byKind,
    server: { updates: serverMs.length, ...spread(serverMs) },
    latencies,
    slowestRequestMs: requestStats.slowestMs,
    droppedConnections: requestStats.dropped,
    droppedBecause: [...requestStats.why],
    window,
  };
  log(
    `edits (${series}): p50 ${fmt(result.p50, 1)} ms, p99 ${fmt(result.p99, 1)} ms, max ${fmt(result.max, 1)} ms, ${result.failed} not visible; ` +
      `the server's own p50 ${fmt(result.server.p50)} ms, p99 ${fmt(result.server.p99)} ms`,
  );
  return result;
}

/** The value at quantile `q` (0..1) of `values`, nearest rank. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// Idle and burst
// ---------------------------------------------------------------------------------------------

/** The server's CPU over `seconds` of no requests and no changes, as % of one core, and the whole machine's. */
async function measureIdle(pid: number, seconds: number): Promise<{ serverPercent: number; machinePercent: number }> {
  const cpu0 = cpuMs(pid);
  const busy0 = systemBusyMs();
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = performance.now() - started;
  return {
    serverPercent: ((cpuMs(pid) - cpu0) / elapsed) * 100,
    machinePercent: ((systemBusyMs() - busy0) / elapsed) * 100,
  };
}

/**
 * VmRSS, RssAnon, RssFile and VmHWM of a process, and its proportional set size (Pss, from
 * smaps_rollup), in MB. RssFile counts a file's page once per mapping of it; lmdb-js maps the store
 * again each time it grows, so Pss is the fairer count of what the store costs.
 */
function memoryOf(pid: number): { rssMB: number; anonMB: number; fileMB: number; peakMB: number; pssMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  let rollup = '';
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    // Kernels before 4.14 have no smaps_rollup.
  }
  return {
    rssMB: mb(status, 'VmRSS'),
    anonMB: mb(status, 'RssAnon'),
    fileMB: mb(status, 'RssFile'),
    peakMB: mb(status, 'VmHWM'),
    pssMB: mb(rollup, 'Pss'),
  };
}

/** The size of the content store's LMDB data files under `cacheDir`, in MB. */
function storeMB(cacheDir: string): number {
  let bytes = 0;
  for (const name of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
    const file = path.join(cacheDir, name, 'data.mdb');
    if (existsSync(file)) bytes += statSync(file).size;
  }
  return bytes / 1048576;
}

/** Resets the kernel's peak RSS of a process (VmHWM), so it records the peak from now on; false when not allowed. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** What the burst measured. */
interface BurstResult {
  readonly files: number;
  /** From the first write to the last write's end. */
  readonly writeMs: number;
  /** From the first write to the first answer counting every rewritten file. */
  readonly visibleMs: number;
  readonly versions: number;
  /** The server's `content version` lines published during the burst: ms each took and files it updated. */
  readonly updates: readonly { readonly ms: number; readonly updated: number; readonly added: number; readonly removed: number }[];
  readonly serverCpuMs: number;
  readonly rssBefore: ReturnType<typeof memoryOf>;
  readonly peakRssMB: number;
  readonly peakFromKernel: boolean;
  /** SETTLE_AFTER_BURST_MS after the burst was visible. */
  readonly rssAfter: ReturnType<typeof memoryOf>;
  readonly laterMs: number;
  /** `laterMs` after the burst was visible. */
  readonly rssLater: ReturnType<typeof memoryOf>;
  /** The slowest answer to a request during the burst: how long the server did not answer. */
  readonly slowestRequestMs: number;
  /** Requests sent again because their connection was dropped. */
  readonly droppedConnections: number;
  /** What fetch said about each dropped connection. */
  readonly droppedBecause: readonly string[];
  readonly window: ProfileWindow;
}

/** The `content version` lines of a stretch of server log: how long each update took from its first event, and what it changed. */
function versionLines(output: string): { ms: number; added: number; updated: number; removed: number }[] {
  return output.split('\n').flatMap((line) => {
    const match = VERSION_LINE.exec(line);
    return match ? [{ ms: Number(match[2]), added: Number(match[3]), updated: Number(match[4]), removed: Number(match[5]) }] : [];
  });
}

/**
 * Rewrites `files` at once with marked titles and measures until the server counts them all (see
 * the module comment); reads RSS again SETTLE_AFTER_BURST_MS and `laterMs` after that.
 */
async function runBurst(server: LiveServer, files: readonly string[], laterMs: number, log: (line: string) => void): Promise<BurstResult> {
  const texts = files.map((file, index) => withTitle(readFileSync(file, 'utf8'), `Burst ${index} ${BURST_MARKER}`));
  const countQuery = `{ contentHealth { version } articles(first: 0, filter: { search: "${BURST_MARKER}" }) { totalCount } }`;
  const before = await graphql<{ contentHealth: { version: string } }>(server.url, '{ contentHealth { version } }');
  const rssBefore = memoryOf(server.pid);
  const peakFromKernel = resetPeakRss(server.pid);
  let peakSampled = rssBefore.rssMB;
  const sampler = setInterval(() => {
    peakSampled = Math.max(peakSampled, readRss(server.pid).rssMB);
  }, RSS_SAMPLE_MS);
  const logFrom = server.output().length;
  Object.assign(requestStats, { slowestMs: 0, dropped: 0, why: [] });
  const cpu0 = cpuMs(server.pid);
  const window = { fromMicros: profileClockMicros(), toMicros: 0 };
  const started = performance.now();
  let writeMs = 0;
  const writing = (async () => {
    let next = 0;
    const writer = async () => {
      for (let index = next++; index < files.length; index = next++) await writeFile(files[index]!, texts[index]!);
    };
    await Promise.all(Array.from({ length: BURST_CONCURRENCY }, writer));
    writeMs = performance.now() - started;
  })();
  let version = before.contentHealth.version;
  let versions = 0;
  let visibleMs = Infinity;
  let serverCpuMs: number;
  let rssAfter: ReturnType<typeof memoryOf>;
  try {
    try {
      for (;;) {
        const data = await graphql<{ contentHealth: { version: string } }>(server.url, '{ contentHealth { version } }');
        if (data.contentHealth.version !== version) {
          versions++;
          const counted = await graphql<{ contentHealth: { version: string }; articles: { totalCount: number } }>(server.url, countQuery);
          version = counted.contentHealth.version;
          if (counted.articles.totalCount === files.length) {
            visibleMs = performance.now() - started;
            break;
          }
        }
        if (performance.now() - started > 30 * 60_000) throw new Error('the burst was not visible within 30 minutes');
        await sleep(BURST_POLL_MS);
      }
    } finally {
      await writing;
      window.toMicros = profileClockMicros();
    }
    serverCpuMs = cpuMs(server.pid) - cpu0;
    log(
      `burst of ${files.length} files: written in ${fmt(writeMs)} ms, all visible after ${fmt(visibleMs)} ms; waiting ${SETTLE_AFTER_BURST_MS / 1000} s`,
    );
    await sleep(SETTLE_AFTER_BURST_MS);
    rssAfter = memoryOf(server.pid);
  } finally {
    clearInterval(sampler);
  }
  const peakRssMB = Math.max(peakSampled, rssAfter.rssMB, peakFromKernel ? rssAfter.peakMB : 0);
  await sleep(Math.max(0, laterMs - SETTLE_AFTER_BURST_MS));
  const burstLog = server.output().slice(logFrom);
  const updates = versionLines(burstLog);
  // The full collections that follow a large update (src/release-memory.ts), as the server logs them.
  for (const line of burstLog.match(/memory: .*/g) ?? []) log(`server: ${line}`);
  return {
    files: files.length,
    writeMs,
    visibleMs,
    versions,
    updates,
    serverCpuMs,
    rssBefore,
    peakRssMB,
    peakFromKernel,
    rssAfter,
    laterMs,
    rssLater: memoryOf(server.pid),
    slowestRequestMs: requestStats.slowestMs,
    droppedConnections: requestStats.dropped,
    droppedBecause: [...requestStats.why],
    window,
  };
}

// ---------------------------------------------------------------------------------------------
// Profile
// ---------------------------------------------------------------------------------------------

/** Ranks the main thread's self time of the profiled server in each window, and prints the top of each. */
function printProfiles(profileDir: string, windows: Record<string, ProfileWindow>, log: (line: string) => void): Record<string, unknown> {
  const file = mainThreadProfileFile(profileDir);
  if (file === null) throw new Error(`--cpu-prof wrote no profile in ${profileDir}`);
  const profile = readCpuProfile(file);
  const summaries: Record<string, unknown> = {};
  for (const [name, window] of Object.entries(windows)) {
    const summary = summarizeProfile(profile, { window, top: 20 });
    summaries[name] = { ...summary, inclusive: summary.inclusive.slice(0, 40) };
    log('');
    log(`profile of the ${name} (main thread, ${summary.totalSamples} samples over ${fmt(summary.windowMs)} ms):`);
    log(
      table([
        ['self time: function', 'location', '%', 'ms'],
        ...summary.functions.slice(0, 15).map((entry) => [entry.name, entry.location, fmt(entry.percent, 1), fmt(entry.ms)]),
      ]),
    );
    log('');
    log(
      table([
        ['total time: function', 'location', '%', 'ms'],
        ...summary.inclusive.slice(0, 25).map((entry) => [entry.name, entry.location, fmt(entry.percent, 1), fmt(entry.ms)]),
      ]),
    );
    log('');
    log(
      table([
        ['self time: package / file', '%', 'ms'],
        ...summary.groups.slice(0, 12).map((entry) => [entry.name, fmt(entry.percent, 1), fmt(entry.ms)]),
      ]),
    );
  }
  return summaries;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

/** PASS or MISS. */
function passOrMiss(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

/** Runs the whole benchmark and prints its figures, its targets and `BENCH_LIVE_JSON`. */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  installExitHandlers('live bench');
  const started = performance.now();
  const log = (line: string) => console.log(line === '' ? line : `[${fmt((performance.now() - started) / 1000, 1).padStart(6)} s] ${line}`);
  const work = openWorkDirectory('newsgraph-live-bench-');
  try {
    await compile({ main: 'src/main.ts', ...WORKER_ENTRIES }, SERVER_BUILD_DIR);
    const src = srcSnapshot();
    log(
      `src/ ${src.sha1} (newest change ${src.newestChange}); node ${process.version}; ${os.cpus().length} cores; load average ${fmt(loadAverage(), 2)}`,
    );

    const contentDir = path.join(work, 'corpus');
    let generatedAt = performance.now();
    const generated = await generateCorpus({ directory: contentDir, articles: options.articles, seed: options.seed });
    log(
      `generated ${generated.files} articles (${fmt(generated.bytes / 1048576, 1)} MiB) in ${fmt((performance.now() - generatedAt) / 1000, 1)} s`,
    );
    const coldDir = path.join(work, 'cold');
    generatedAt = performance.now();
    await generateCorpus({ directory: coldDir, articles: options.burst, seed: options.seed });
    log(`generated the ${options.burst}-article corpus of the cold-load baseline in ${fmt((performance.now() - generatedAt) / 1000, 1)} s`);

    const coldLoads = await measureColdLoads(coldDir, work, options.coldRuns, log);
    const coldLoadMs = median(coldLoads);
    rmSync(coldDir, { recursive: true, force: true });

    const profileDir = path.join(work, 'cpu-prof');
    const nodeArgs = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    log(`starting the live server on ${options.articles} articles (cold load) ...`);
    const cacheDir = path.join(work, 'cache');
    const server = await startServer(contentDir, cacheDir, nodeArgs);
    let stopping = false;
    server.child.once('exit', (code, signal) => {
      if (!stopping)
        log(`the live server exited unexpectedly (code ${code}, signal ${signal}); its last output:\n${server.output().slice(-4000)}`);
    });
    const loadedLine =
      server
        .output()
        .split('\n')
        .find((line) => line.includes(' loaded ')) ?? '';
    log(`serving after ${fmt(server.servingMs / 1000, 1)} s (pid ${server.pid}): ${loadedLine.replace(/^\S+ info {2}/, '')}`);
    if (!server.output().includes('changes are served as they are saved'))
      throw new Error(`the server is not watching:\n${server.output().slice(-2000)}`);
    await sleep(2_000);

    // Files in a stable, scattered order: the edits take from the end, the burst from the start.
    const files = listSync(contentDir).sort();
    const pool = files.map((_, index) => files[(index * 7919) % files.length]!);
    if (new Set(pool).size !== files.length) throw new Error('the file order is not a permutation');
    const burstFiles = pool.slice(0, options.burst);
    const editPool = pool.slice(options.burst);

    const rssServing = memoryOf(server.pid);
    const spaced = await measureEdits(server, contentDir, editPool, options.edits, SPACED_GAP_MS, 'spaced', log);
    const rapid = await measureEdits(server, contentDir, editPool, options.edits, RAPID_GAP_MS, 'rapid', log);
    const rssAfterEdits = memoryOf(server.pid);

    await sleep(2_000);
    log(`idle: ${options.idleSeconds} s without requests or changes ...`);
    const idle = await measureIdle(server.pid, options.idleSeconds);
    log(`idle: server ${fmt(idle.serverPercent, 2)}% of a core (whole machine ${fmt(idle.machinePercent, 1)}%)`);

    log(`burst: rewriting ${burstFiles.length} files at once ...`);
    const storeBeforeBurstMB = storeMB(cacheDir);
    const burst = await runBurst(server, burstFiles, options.laterSeconds * 1000, log);
    const storeAfterBurstMB = storeMB(cacheDir);
    const burstRatio = burst.visibleMs / coldLoadMs;
    const rssGrowthPercent = ((burst.rssAfter.rssMB - burst.rssBefore.rssMB) / burst.rssBefore.rssMB) * 100;

    let profiles: Record<string, unknown> | undefined;
    stopping = true;
    await stopChild(server.child, 30_000);
    if (options.profile) profiles = printProfiles(profileDir, { 'spaced edits': spaced.window, burst: burst.window }, log);

    console.log('');
    console.log(`live content at ${options.articles} articles (cold load of the live server: ${fmt(server.servingMs / 1000, 1)} s)`);
    console.log('');
    console.log('write to visible over HTTP, ms:');
    console.log(
      table([
        ['edits', 'kind', 'count', 'p50', 'p99', 'max'],
        ...[spaced, rapid].flatMap((series) => [
          ...EDIT_KINDS.map((kind) => {
            const of = series.byKind[kind];
            return [`${series.name} (${series.gapMs} ms apart)`, kind, String(of.count), fmt(of.p50, 1), fmt(of.p99, 1), fmt(of.max, 1)];
          }),
          [
            `${series.name} (${series.gapMs} ms apart)`,
            'all',
            String(series.count),
            fmt(series.p50, 1),
            fmt(series.p99, 1),
            fmt(series.max, 1),
          ],
          [
            `${series.name}: server log`,
            'first event to published',
            String(series.server.updates),
            fmt(series.server.p50),
            fmt(series.server.p99),
            fmt(series.server.max),
          ],
        ]),
      ]),
    );
    for (const series of [spaced, rapid]) {
      console.log(
        `${series.name}: slowest answer to a poll ${fmt(series.slowestRequestMs, 1)} ms; requests sent again after a dropped connection: ${series.droppedConnections}`,
      );
    }
    console.log('');
    console.log(
      `idle CPU over ${options.idleSeconds} s: ${fmt(idle.serverPercent, 2)}% of one core (the whole machine: ${fmt(idle.machinePercent, 1)}%)`,
    );
    if (options.profile)
      console.log('  (under --cpu-prof: the profiler samples every millisecond, so this is not the idle cost of the server)');
    const updateMs = burst.updates.map((update) => update.ms);
    console.log(
      `burst of ${burst.files} files: written in ${fmt(burst.writeMs)} ms, all visible after ${fmt(burst.visibleMs)} ms ` +
        `(${burst.versions} versions seen; server log: ${burst.updates.length} updates of ${burst.updates.map((update) => update.updated + update.added).join(' + ')} files ` +
        `taking ${updateMs.map((ms) => fmt(ms)).join(' / ')} ms from their first event); server CPU ${fmt(burst.serverCpuMs)} ms; ` +
        `slowest answer to a poll ${fmt(burst.slowestRequestMs)} ms; requests sent again after a dropped connection: ${burst.droppedConnections}` +
        (burst.droppedBecause.length > 0 ? ` (${burst.droppedBecause.join('; ')})` : ''),
    );
    console.log(
      `cold load of ${options.burst} articles (spawn to first 200, fresh CACHE_DIR): ${coldLoads.map((ms) => fmt(ms)).join(', ')} ms, median ${fmt(coldLoadMs)} ms`,
    );
    const rssText = (memory: ReturnType<typeof memoryOf>) =>
      `${fmt(memory.rssMB)} (anon ${fmt(memory.anonMB)}, file ${fmt(memory.fileMB)}; Pss ${fmt(memory.pssMB)})`;
    console.log(`RSS MB: serving ${rssText(rssServing)}; after the edits ${rssText(rssAfterEdits)}`);
    console.log(
      `RSS MB: before the burst ${rssText(burst.rssBefore)}; peak ${fmt(burst.peakRssMB)}${burst.peakFromKernel ? '' : ' (sampled only)'}; ` +
        `${SETTLE_AFTER_BURST_MS / 1000} s after ${rssText(burst.rssAfter)}; ${options.laterSeconds} s after ${rssText(burst.rssLater)}`,
    );
    console.log(`content store data file: ${fmt(storeBeforeBurstMB)} MB before the burst, ${fmt(storeAfterBurstMB)} MB after`);
    console.log('');
    console.log('targets:');
    const editTarget = (series: EditSeries) => ({
      target: TARGETS.editP99Ms,
      value: round(series.p99, 1),
      pass: series.p99 <= TARGETS.editP99Ms && series.failed === 0,
    });
    const targets = {
      editP99Spaced: editTarget(spaced),
      editP99Rapid: editTarget(rapid),
      idleCpu: { target: TARGETS.idleCpuPercent, value: round(idle.serverPercent, 2), pass: idle.serverPercent < TARGETS.idleCpuPercent },
      burstOverColdLoad: { target: TARGETS.burstOverColdLoad, value: round(burstRatio, 2), pass: burstRatio <= TARGETS.burstOverColdLoad },
      rssAfterBurst: {
        target: TARGETS.rssGrowthPercent,
        value: round(rssGrowthPercent, 1),
        pass: Math.abs(rssGrowthPercent) <= TARGETS.rssGrowthPercent,
      },
    };
    for (const [series, target] of [
      [spaced, targets.editP99Spaced],
      [rapid, targets.editP99Rapid],
    ] as const) {
      console.log(
        `  edit visible p99 <= ${TARGETS.editP99Ms} ms, edits ${series.gapMs} ms apart: ${fmt(series.p99, 1)} ms` +
          `${series.failed > 0 ? ` (${series.failed} never visible)` : ''} ${passOrMiss(target.pass)}`,
      );
    }
    console.log(`  idle CPU < ${TARGETS.idleCpuPercent}% of a core: ${fmt(idle.serverPercent, 2)}% ${passOrMiss(targets.idleCpu.pass)}`);
    console.log(
      `  burst <= ${TARGETS.burstOverColdLoad} x cold load of ${options.burst}: ${fmt(burst.visibleMs)} / ${fmt(coldLoadMs)} ms = ${fmt(burstRatio, 2)}x ${passOrMiss(targets.burstOverColdLoad.pass)}`,
    );
    console.log(
      `  RSS ${SETTLE_AFTER_BURST_MS / 1000} s after the burst within ${TARGETS.rssGrowthPercent}% of before: ` +
        `${fmt(burst.rssBefore.rssMB)} -> ${fmt(burst.rssAfter.rssMB)} MB (${rssGrowthPercent >= 0 ? '+' : ''}${fmt(rssGrowthPercent, 1)}%) ${passOrMiss(targets.rssAfterBurst.pass)}`,
    );
    const json = {
      node: process.version,
      cpus: os.cpus().length,
      src,
      options,
      loadAverageEnd: os.loadavg(),
      liveServerServingMs: round(server.servingMs, 0),
      rssServing,
      rssAfterEdits,
      storeMB: { beforeBurst: round(storeBeforeBurstMB, 0), afterBurst: round(storeAfterBurstMB, 0) },
      edits: [spaced, rapid].map(({ window, latencies, ...series }) => ({
        ...series,
        latencies: latencies.map((latency) => round(latency, 1)),
      })),
      idle,
      burst: { ...burst, window: undefined },
      coldLoadsMs: coldLoads.map((ms) => round(ms, 0)),
      coldLoadMs: round(coldLoadMs, 0),
      targets,
      ...(profiles ? { profiles } : {}),
      seconds: round((performance.now() - started) / 1000, 1),
    };
    console.log('');
    console.log(`BENCH_LIVE_JSON ${JSON.stringify(json)}`);
  } finally {
    await closeWorkDirectory(work);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
