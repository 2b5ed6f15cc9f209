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
 * - ours:      `dist/main.mjs` as `npm start` builds and runs it (CONTENT_DIR, PORT, HOST=127.0.0.1, LOG_LEVEL=warn).
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
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { type DocumentNode, defaultFieldResolver, execute, type GraphQLFieldResolver, type GraphQLSchema, parse, validate } from 'graphql';
import { build } from '../scripts/build.mjs';
import type { Corpus } from '../src/content/corpus.js';
import { loadCorpus } from '../src/content/load.js';
import { type BatchCall, createContext } from '../src/context.js';
import { schema } from '../src/schema/index.js';
import { createServer } from '../src/server.js';
import { generateCorpus } from './generate.js';
import { readCpuProfile, type SelfTimeReport, selfTime } from './http-cpuprofile.js';
import type { LoadReply, LoadRequest, LoadSummary } from './http-load.js';
import { buildHttpQueries, type HttpQuery } from './http-queries.js';

// ---------------------------------------------------------------------------------------------
// Options and results
// ---------------------------------------------------------------------------------------------

export const SERVER_NAMES = ['ours', 'mercurius', 'apollo', 'ceiling'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

const SERVER_LABELS: Record<ServerName, string> = {
  ours: 'ours (npm start)',
  mercurius: 'mercurius + graphql-jit',
  apollo: 'apollo server 4',
  ceiling: 'ceiling (node:http, no GraphQL)',
};

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

/** One timed run: autocannon's summary plus the CPU the server and the load generator used. */
export interface TimedRun extends LoadSummary {
  /** Server CPU time over wall time, in percent of one core (100 = the server had its core to itself). */
  readonly serverCpuPercent: number;
  /** Server CPU milliseconds per completed request: robust to other processes stealing the core. */
  readonly serverCpuMsPerRequest: number;
  /** Load generator CPU over wall time, in percent of one core (near 100: the generator is the limit). */
  readonly generatorCpuPercent: number;
  /** CPU every other process used during the run, in percent of one core: noise from outside. */
  readonly otherCpuPercent: number;
}

/** Median of the repetitions of one (server, query), with what the runs saw. */
export interface ServerQueryResult {
  readonly server: ServerName;
  readonly requestsPerSecond: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly serverCpuPercent: number;
  readonly serverCpuMsPerRequest: number;
  readonly generatorCpuPercent: number;
  readonly otherCpuPercent: number;
  readonly rssMB: number;
  readonly peakRssMB: number;
  readonly runs: readonly TimedRun[];
}

/** For ours, what one request of a query costs inside the server. */
export interface QueryWork {
  /** DataLoader batch calls per request (mean over the query's bodies). */
  readonly batchCalls: number;
  /** Keys over all batch calls per request (mean). */
  readonly batchKeys: number;
  /** Batch calls by loader, of the first body: `loader x keys`. */
  readonly batchDetail: readonly BatchCall[];
  /** Field resolver calls per request (mean), including default resolvers. */
  readonly resolverCalls: number;
  /** The fields resolved most often in one request (first body). */
  readonly topFields: readonly { readonly field: string; readonly calls: number }[];
  /** Bytes of the expected `{"data":...}` response (mean). */
  readonly responseBytes: number;
}

export interface TargetCheck {
  readonly name: string;
  readonly value: number | null;
  readonly threshold: string;
  readonly pass: boolean | null;
}

export interface QueryResult {
  readonly name: string;
  readonly title: string;
  readonly bodies: number;
  readonly work: QueryWork;
  readonly servers: readonly ServerQueryResult[];
  /** ours req/s divided by each other server's. */
  readonly oursOver: Partial<Record<ServerName, number>>;
  /** Each other server's CPU ms per request divided by ours': the req/s ratio if both had a whole core. */
  readonly oursOverByCpu: Partial<Record<ServerName, number>>;
  /** ours p99 divided by mercurius p99. */
  readonly p99OursOverMercurius: number | null;
  readonly targets: readonly TargetCheck[];
}

export interface HttpBenchmarkResult {
  readonly corpus: { readonly source: string; readonly articles: number; readonly publicArticles: number; readonly loadMs: number };
  /** Which code was measured: a hash of every file under src/ and the newest modification time. */
  readonly src: { readonly sha1: string; readonly newestChange: string };
  readonly settings: {
    readonly warmupSeconds: number;
    readonly durationSeconds: number;
    readonly repetitions: number;
    readonly connections: number;
    readonly pipelining: number;
    readonly node: string;
    readonly cpus: number;
  };
  /** RSS of each server once ready, before any load (MB). */
  readonly rssAtStartMB: Partial<Record<ServerName, number>>;
  readonly queries: readonly QueryResult[];
  /** The targets on the hot list: the gate. */
  readonly pass: boolean | null;
  readonly profile: (SelfTimeReport & { readonly requestsPerSecond: number }) | null;
  /** 1-minute load average when the run started and ended (2 cores: above ~1.5 means contention). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly elapsedSeconds: number;
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_DIR = path.resolve(BENCH_DIR, '..');
const HOST = '127.0.0.1';
const SERVER_CORE = '0';
const LOAD_CORE = '1';
const PEER_READY_PREFIX = 'HTTP_PEER_READY';

/** Every child started by this module, so none outlives the benchmark. */
const children = new Set<ChildProcess>();
/** Temporary directories to remove even when a signal ends the run. */
const temporaryDirectories = new Set<string>();

/** The file the watchdog reads the children's pids from (one per line), once it exists. */
let watchdogPidFile: string | null = null;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (watchdogPidFile !== null && child.pid !== undefined) appendFileSync(watchdogPidFile, `${child.pid}\n`);
  return child;
}

/**
 * A detached shell that outlives this process: once this process is gone (even SIGKILLed), it
 * SIGTERMs every child listed in the pid file, SIGKILLs the stragglers and removes `work`.
 */
function startWatchdog(work: string): void {
  watchdogPidFile = path.join(work, 'children.pids');
  writeFileSync(watchdogPidFile, '');
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `pids=$(cat "$1" 2>/dev/null)`,
    `[ -n "$pids" ] && kill -TERM $pids 2>/dev/null`,
    `[ -n "$pids" ] && sleep 3 && kill -KILL $pids 2>/dev/null`,
    `rm -rf "$2"`,
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'newsgraph-http-watchdog', watchdogPidFile, work], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

/** After a clean stop: nothing left for the watchdog to kill (pids may be reused later). */
function disarmWatchdog(): void {
  if (watchdogPidFile !== null && existsSync(watchdogPidFile)) writeFileSync(watchdogPidFile, '');
}

/** SIGTERM every child still running; SIGKILL those still there after `graceMs`. */
export async function stopAllChildren(graceMs = 5_000): Promise<void> {
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(running.map((child) => stopChild(child, graceMs)));
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

let exitHandlersInstalled = false;

/** On exit, failure or a signal, SIGTERM every child (synchronously on `exit`). */
function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nhttp bench: ${signal}, stopping the servers\n`);
      void stopAllChildren(2_000).finally(() => process.exit(130));
    });
  }
}

/** Keeps the last `limit` characters a stream wrote, for error messages. */
function tail(stream: NodeJS.ReadableStream | null, limit = 8_000): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text;
}

/** Spawns `node [nodeArgs] script` pinned to one core (through tsx when the script is TypeScript). */
function spawnPinned(
  core: string,
  nodeArgs: readonly string[],
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ipc = false,
): ChildProcess {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn('taskset', ['-c', core, process.execPath, ...nodeArgs, ...loader, script, ...args], {
    cwd: PROJECT_DIR,
    env,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running server under test. */
interface RunningServer {
  readonly name: ServerName;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly stderr: () => string;
}

function exitMessage(name: string, child: ChildProcess, stderr: () => string): string {
  return `${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${stderr()}`;
}

async function startPeer(name: Exclude<ServerName, 'ours'>, contentDir: string, responsesFile: string): Promise<RunningServer> {
  const args = name === 'ceiling' ? ['--kind', 'ceiling', '--responses', responsesFile] : ['--kind', name, '--content-dir', contentDir];
  const child = spawnPinned(SERVER_CORE, [], path.join(BENCH_DIR, 'http-peers.ts'), args, { ...process.env, NODE_ENV: 'production' });
  const stderr = tail(child.stderr);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const match = new RegExp(`^${PEER_READY_PREFIX} (\\d+)$`, 'm').exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(exitMessage(name, child, stderr))));
  });
  return { name, child, pid: child.pid!, url: `http://${HOST}:${port}/graphql`, stderr };
}

/** Ours as shipped: dist/main.mjs as `npm start` runs it (built first); ready when `/ready` answers 200. */
async function startOurs(contentDir: string, nodeArgs: readonly string[] = [], timeoutMs = 300_000): Promise<RunningServer> {
  const port = await freePort();
  const env = { ...process.env, CONTENT_DIR: contentDir, PORT: String(port), HOST, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  const child = spawnPinned(SERVER_CORE, ['--enable-source-maps', ...nodeArgs], path.join(PROJECT_DIR, 'dist', 'main.mjs'), [], env);
  const stderr = tail(child.stderr);
  tail(child.stdout);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(exitMessage('ours', child, stderr));
    try {
      const response = await fetch(`http://${HOST}:${port}/ready`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`ours was not ready within ${timeoutMs / 1000} s:\n${stderr()}`);
    await sleep(100);
  }
  return { name: 'ours', child, pid: child.pid!, url: `http://${HOST}:${port}/graphql`, stderr };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** VmRSS and VmHWM of a process, in MB. */
function readRss(pid: number): { rssMB: number; peakRssMB: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssMB: NaN, peakRssMB: NaN };
  }
  const kB = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kB('VmRSS') / 1024, peakRssMB: kB('VmHWM') / 1024 };
}

/** A hash of the files under src/ (sorted by path) and the newest modification time among them. */
function srcSnapshot(): { sha1: string; newestChange: string } {
  const hash = createHash('sha1');
  let newest = 0;
  const files = (readdirSync(path.join(PROJECT_DIR, 'src'), { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).sort();
  for (const file of files) {
    const full = path.join(PROJECT_DIR, 'src', file);
    hash.update(file).update(readFileSync(full));
    newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return { sha1: hash.digest('hex').slice(0, 12), newestChange: new Date(newest).toISOString() };
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU time (user + system) a process has used so far, in ms; NaN when unreadable. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** CPU time all processes of the machine have used so far (user, nice, system, irq, softirq, steal), in ms. */
function systemBusyMs(): number {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** The 1-minute load average: above ~1 other processes compete with the benchmark for the 2 cores. */
function loadAverage(): number {
  return os.loadavg()[0]!;
}

/** The autocannon child, pinned to its own core, driven over IPC. */
class LoadGenerator {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (summary: LoadSummary) => void; reject: (error: Error) => void }>();
  private readonly stderr: () => string;

  private constructor(private readonly child: ChildProcess) {
    this.stderr = tail(child.stderr);
    tail(child.stdout);
    child.on('message', (message: LoadReply | { ready: true }) => {
      if (!('id' in message)) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.summary);
      else waiter.reject(new Error(`autocannon failed: ${message.error}`));
    });
    child.once('exit', () => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`the load generator exited (code ${child.exitCode}):\n${this.stderr()}`));
      this.pending.clear();
    });
  }

  static async start(): Promise<LoadGenerator> {
    const child = spawnPinned(LOAD_CORE, [], path.join(BENCH_DIR, 'http-load.ts'), [], { ...process.env, NODE_ENV: 'production' }, true);
    const generator = new LoadGenerator(child);
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: { ready?: boolean }) => {
        if (message.ready) resolve();
      });
      child.once('exit', () => reject(new Error(`the load generator exited before it was ready:\n${generator.stderr()}`)));
    });
    return generator;
  }

  run(request: Omit<LoadRequest, 'id'>): Promise<LoadSummary> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id } satisfies LoadRequest);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  stop(): Promise<void> {
    return stopChild(this.child, 2_000);
  }
}

// ---------------------------------------------------------------------------------------------
// Expected responses, correctness and in-process work
// ---------------------------------------------------------------------------------------------

/** Expected `data` of each body, from graphql-js executing the schema with a fresh public context. */
async function expectedData(corpus: Corpus, query: HttpQuery): Promise<unknown[]> {
  const document = parse(query.query);
  const errors = validate(schema, document);
  if (errors.length > 0) throw new Error(`the ${query.name} query is invalid: ${errors.map((error) => error.message).join('; ')}`);
  const results: unknown[] = [];
  for (const variables of query.variables) {
    const result = await execute({
      schema,
      document,
      contextValue: createContext({ corpus, previewToken: null }, null),
      variableValues: variables,
    });
    if (result.errors?.length)
      throw new Error(`the ${query.name} query fails in graphql-js: ${result.errors.map((error) => error.message).join('; ')}`);
    results.push(JSON.parse(JSON.stringify(result.data)));
  }
  return results;
}

/** The first path where two JSON values differ, for a readable failure. */
function firstDifference(actual: unknown, expected: unknown, at = 'data'): string {
  if (isDeepStrictEqual(actual, expected)) return '';
  if (
    typeof actual !== 'object' ||
    typeof expected !== 'object' ||
    actual === null ||
    expected === null ||
    Array.isArray(actual) !== Array.isArray(expected)
  ) {
    return `${at}: got ${JSON.stringify(actual)?.slice(0, 200)}, expected ${JSON.stringify(expected)?.slice(0, 200)}`;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  if (Array.isArray(a) && Array.isArray(e) && a.length !== e.length) return `${at}: ${a.length} items, expected ${e.length}`;
  for (const key of new Set([...Object.keys(a), ...Object.keys(e)])) {
    const difference = firstDifference(a[key], e[key], `${at}.${key}`);
    if (difference) return difference;
  }
  return `${at}: differs`;
}

/** POSTs each body twice (the second run exercises JIT-compiled plans) and checks `data`. */
async function checkCorrectness(server: RunningServer, query: HttpQuery, expected: readonly unknown[]): Promise<void> {
  for (let round = 1; round <= 2; round++) {
    for (let i = 0; i < query.bodies.length; i++) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: query.bodies[i],
      });
      const text = await response.text();
      const where = `${server.name} / ${query.name} / body ${i} / round ${round}`;
      if (response.status !== 200) throw new Error(`CORRECTNESS FAILED (${where}): HTTP ${response.status}: ${text.slice(0, 500)}`);
      let json: { data?: unknown; errors?: unknown };
      try {
        json = JSON.parse(text) as { data?: unknown; errors?: unknown };
      } catch {
        throw new Error(`CORRECTNESS FAILED (${where}): not JSON: ${text.slice(0, 500)}`);
      }
      if (json.errors !== undefined) throw new Error(`CORRECTNESS FAILED (${where}): errors ${JSON.stringify(json.errors).slice(0, 500)}`);
      const difference = firstDifference(json.data, expected[i]);
      if (difference) throw new Error(`CORRECTNESS FAILED (${where}): ${difference}`);
    }
  }
}

/** A copy of the schema whose every field resolver counts its calls into `counts`. */
function countingSchema(source: GraphQLSchema, counts: Map<string, number>): GraphQLSchema {
  return mapSchema(source, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const resolve: GraphQLFieldResolver<unknown, unknown> = fieldConfig.resolve ?? defaultFieldResolver;
      const key = `${typeName}.${fieldName}`;
      return {
        ...fieldConfig,
        resolve: (parent, args, context, info) => {
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return resolve(parent, args, context, info);
        },
      };
    },
  });
}

/** Batch calls (yoga in-process with reportBatchCalls) and resolver calls of ours, per request. */
async function measureWork(corpus: Corpus, query: HttpQuery, expected: readonly unknown[]): Promise<QueryWork> {
  const yoga = createServer({ corpus, previewToken: null, reportBatchCalls: true });
  let calls = 0;
  let keys = 0;
  let batchDetail: BatchCall[] = [];
  let responseBytes = 0;
  for (let i = 0; i < query.bodies.length; i++) {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: query.bodies[i]!,
    });
    const json = (await response.json()) as { data?: unknown; errors?: unknown; extensions?: { batchCalls?: BatchCall[] } };
    if (response.status !== 200 || json.errors)
      throw new Error(`in-process ${query.name}: HTTP ${response.status} ${JSON.stringify(json.errors ?? null).slice(0, 500)}`);
    const difference = firstDifference(json.data, expected[i]);
    if (difference) throw new Error(`CORRECTNESS FAILED (ours in-process / ${query.name} / body ${i}): ${difference}`);
    const batchCalls = json.extensions?.batchCalls;
    if (!Array.isArray(batchCalls)) throw new Error('extensions.batchCalls is missing with reportBatchCalls: true');
    if (i === 0) batchDetail = batchCalls;
    calls += batchCalls.length;
    keys += batchCalls.reduce((sum, call) => sum + call.keys, 0);
    responseBytes += Buffer.byteLength(JSON.stringify({ data: expected[i] }));
  }

  const counts = new Map<string, number>();
  const counted = countingSchema(schema, counts);
  const document: DocumentNode = parse(query.query);
  let resolverCalls = 0;
  let topFields: { field: string; calls: number }[] = [];
  for (let i = 0; i < query.variables.length; i++) {
    counts.clear();
    const result = await execute({
      schema: counted,
      document,
      contextValue: createContext({ corpus, previewToken: null }, null),
      variableValues: query.variables[i],
    });
    if (result.errors?.length) throw new Error(`counting copy of the schema fails on ${query.name}: ${result.errors[0]!.message}`);
    const difference = firstDifference(JSON.parse(JSON.stringify(result.data)), expected[i]);
    if (difference) throw new Error(`the counting copy of the schema answers ${query.name} differently: ${difference}`);
    for (const n of counts.values()) resolverCalls += n;
    if (i === 0)
      topFields = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([field, n]) => ({ field, calls: n }));
  }
  const n = query.bodies.length;
  return {
    batchCalls: calls / n,
    batchKeys: keys / n,
    batchDetail,
    resolverCalls: resolverCalls / n,
    topFields,
    responseBytes: responseBytes / n,
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and report
// ---------------------------------------------------------------------------------------------

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Fails loudly on any error, non-2xx, timeout or mismatch of a run. */
function assertClean(summary: LoadSummary, where: string, requireResponses = true): void {
  const problems = (['errors', 'timeouts', 'non2xx', 'mismatches'] as const).filter((key) => summary[key] !== 0);
  if (problems.length > 0 || (requireResponses && summary.completed2xx === 0)) {
    throw new Error(
      `LOAD RUN FAILED (${where}): ${problems.map((key) => `${key}=${summary[key]}`).join(', ') || 'no 2xx response'}; status codes ${JSON.stringify(summary.statusCodes)}`,
    );
  }
}

function targetsOf(byServer: Map<ServerName, ServerQueryResult>): {
  oursOver: Partial<Record<ServerName, number>>;
  oursOverByCpu: Partial<Record<ServerName, number>>;
  p99: number | null;
  targets: TargetCheck[];
} {
  const ours = byServer.get('ours');
  const oursOver: Partial<Record<ServerName, number>> = {};
  const oursOverByCpu: Partial<Record<ServerName, number>> = {};
  if (ours) {
    for (const [name, result] of byServer) {
      if (name === 'ours') continue;
      oursOver[name] = ours.requestsPerSecond / result.requestsPerSecond;
      oursOverByCpu[name] = result.serverCpuMsPerRequest / ours.serverCpuMsPerRequest;
    }
  }
  const mercurius = byServer.get('mercurius');
  const p99 = ours && mercurius ? ours.latencyP99 / mercurius.latencyP99 : null;
  const check = (name: string, value: number | null | undefined, threshold: string, pass: (v: number) => boolean): TargetCheck => ({
    name,
    value: value ?? null,
    threshold,
    pass: value === null || value === undefined || !Number.isFinite(value) ? null : pass(value),
  });
  return {
    oursOver,
    oursOverByCpu,
    p99,
    targets: [
      check('ours / mercurius+jit req/s', oursOver.mercurius, '>= 0.5', (v) => v >= 0.5),
      check('ours / apollo req/s', oursOver.apollo, '>= 2', (v) => v >= 2),
      check('p99 ours / mercurius', p99, '<= 3', (v) => v <= 3),
    ],
  };
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const verdict = (pass: boolean | null) => (pass === null ? 'n/a' : pass ? 'PASS' : 'FAIL');

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      // Numbers right-aligned, text left-aligned.
      const line = row
        .map((cell, column) => (column > 0 && /^[-\d.,/ ]+$/.test(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd();
      return index === 0 ? `${line}\n${widths.map((width) => '-'.repeat(width)).join('  ')}` : line;
    })
    .join('\n');
}

function printQuery(result: QueryResult, log: (line: string) => void, gating: boolean): void {
  log('');
  log(`== ${result.name}: ${result.title}`);
  log(
    `   ours per request: ${fmt(result.work.batchCalls, 1)} DataLoader batch calls, ${fmt(result.work.batchKeys, 1)} keys ` +
      `[${result.work.batchDetail.map((call) => `${call.loader} x${call.keys}`).join(', ')}]; ` +
      `${fmt(result.work.resolverCalls, 0)} resolver calls; response ${fmt(result.work.responseBytes / 1024, 1)} KiB`,
  );
  log(`   most-called fields: ${result.work.topFields.map((field) => `${field.field} ${field.calls}`).join(', ')}`);
  const rows: string[][] = [
    [
      'server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'RSS MB',
      'peak MB',
      'srv CPU%',
      'CPU ms/req',
      'gen CPU%',
      'other CPU%',
      'ours÷this req/s',
      'ours÷this CPU/req',
      'reps req/s',
    ],
  ];
  for (const server of result.servers) {
    const self = server.server === 'ours';
    rows.push([
      SERVER_LABELS[server.server],
      fmt(server.requestsPerSecond),
      fmt(server.latencyP50, 1),
      fmt(server.latencyP99, 1),
      fmt(server.rssMB),
      fmt(server.peakRssMB),
      fmt(server.serverCpuPercent),
      fmt(server.serverCpuMsPerRequest, 3),
      fmt(server.generatorCpuPercent),
      fmt(server.otherCpuPercent),
      self ? '1.00' : fmt(result.oursOver[server.server] ?? NaN, 2),
      self ? '1.00' : fmt(result.oursOverByCpu[server.server] ?? NaN, 2),
      server.runs.map((run) => fmt(run.requestsPerSecond)).join(' / '),
    ]);
  }
  log(table(rows));
  log(`   p99 ours ÷ mercurius: ${fmt(result.p99OursOverMercurius ?? NaN, 2)}`);
  log(
    `   targets${gating ? ' (GATING: hot list)' : ' (informational)'}: ` +
      result.targets
        .map((target) => `${target.name} = ${fmt(target.value ?? NaN, 2)} (${target.threshold}) ${verdict(target.pass)}`)
        .join('; '),
  );
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

/** Runs the whole benchmark; throws (after stopping every child) on any failure. */
export async function runHttpBenchmark(options: HttpBenchmarkOptions = {}): Promise<HttpBenchmarkResult> {
  installExitHandlers();
  const started = performance.now();
  const write = options.log ?? ((line: string) => console.log(line));
  // Progress lines carry the elapsed time; blank lines and tables pass through.
  const log = (line: string) =>
    write(
      line === '' || line.includes('\n') || /^[=\s]/.test(line)
        ? line
        : `[${fmt((performance.now() - started) / 1000, 1).padStart(5)} s] ${line}`,
    );
  const settings = {
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
  const work = mkdtempSync(path.join(os.tmpdir(), 'newsgraph-http-bench-'));
  temporaryDirectories.add(work);
  startWatchdog(work);
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
          name === 'ours' ? startOurs(contentDirectory) : startPeer(name as 'mercurius' | 'apollo', contentDirectory, ''),
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

    const runLoad = async (server: RunningServer, query: HttpQuery, duration: number, label: string): Promise<TimedRun> => {
      const serverCpu0 = cpuMs(server.pid);
      const generatorCpu0 = cpuMs(load.pid);
      const busy0 = systemBusyMs();
      const wall0 = performance.now();
      const summary = await load.run({
        url: server.url,
        bodies: query.bodies,
        connections: settings.connections,
        pipelining: settings.pipelining,
        duration,
        timeout: 10,
        sampleInt,
      });
      const wall = performance.now() - wall0;
      const serverCpu = cpuMs(server.pid) - serverCpu0;
      const generatorCpu = cpuMs(load.pid) - generatorCpu0;
      const otherCpu = systemBusyMs() - busy0 - serverCpu - generatorCpu;
      assertClean(summary, `${server.name} / ${query.name} / ${label}`, label !== 'warm-up');
      if (server.child.exitCode !== null) throw new Error(`${server.name} died during the run:\n${server.stderr()}`);
      return {
        ...summary,
        serverCpuPercent: (100 * serverCpu) / wall,
        serverCpuMsPerRequest: serverCpu / Math.max(1, summary.completed2xx),
        generatorCpuPercent: (100 * generatorCpu) / wall,
        otherCpuPercent: Math.max(0, (100 * otherCpu) / wall),
      };
    };

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
      const byServer = new Map<ServerName, ServerQueryResult>();
      for (const server of servers) {
        const serverRuns = runs.get(server.name)!;
        byServer.set(server.name, {
          server: server.name,
          requestsPerSecond: median(serverRuns.map((run) => run.requestsPerSecond)),
          latencyP50: median(serverRuns.map((run) => run.latencyP50)),
          latencyP99: median(serverRuns.map((run) => run.latencyP99)),
          serverCpuPercent: median(serverRuns.map((run) => run.serverCpuPercent)),
          serverCpuMsPerRequest: median(serverRuns.map((run) => run.serverCpuMsPerRequest)),
          generatorCpuPercent: median(serverRuns.map((run) => run.generatorCpuPercent)),
          otherCpuPercent: median(serverRuns.map((run) => run.otherCpuPercent)),
          ...readRss(server.pid),
          runs: serverRuns,
        });
      }
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
    await stopAllChildren();
    disarmWatchdog();
    rmSync(work, { recursive: true, force: true });
    temporaryDirectories.delete(work);
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
  settings: HttpBenchmarkResult['settings'],
  sampleInt: number,
  work: string,
  log: (line: string) => void,
  profileOut: string | undefined,
): Promise<SelfTimeReport & { requestsPerSecond: number }> {
  const profileDir = path.join(work, 'cpu-prof');
  log(`\nprofiling ours on ${query.name} (--cpu-prof, warm-up ${settings.warmupSeconds} s, profiled ${settings.durationSeconds} s) ...`);
  const server = await startOurs(contentDir, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const request = {
    url: server.url,
    bodies: query.bodies,
    connections: settings.connections,
    pipelining: settings.pipelining,
    timeout: 10,
    sampleInt,
  };
  assertClean(await load.run({ ...request, duration: settings.warmupSeconds }), `ours (profiled) / ${query.name} / warm-up`, false);
  const from = Number(process.hrtime.bigint() / 1000n);
  const summary = await load.run({ ...request, duration: settings.durationSeconds });
  const to = Number(process.hrtime.bigint() / 1000n);
  assertClean(summary, `ours (profiled) / ${query.name}`);
  await stopChild(server.child, 15_000);
  const files = existsSync(profileDir) ? readdirSync(profileDir).filter((file) => file.endsWith('.cpuprofile')) : [];
  if (files.length === 0)
    throw new Error(`--cpu-prof wrote no profile in ${profileDir} (exit code ${server.child.exitCode}, signal ${server.child.signalCode})`);
  // Worker threads (the loader's parse workers) get their own file: take the main thread's (thread id 0,
  // `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile`), else the largest.
  const main = files.find((name) => name.split('.')[4] === '0');
  const file = path.join(profileDir, main ?? files.sort((a, b) => sizeOf(path.join(profileDir, b)) - sizeOf(path.join(profileDir, a)))[0]!);
  if (profileOut) {
    copyFileSync(file, profileOut);
    log(`profile copied to ${profileOut}`);
  }
  const report = selfTime(readCpuProfile(file), { fromMicros: from, toMicros: to }, 25);
  log(
    `ours under the profiler: ${fmt(summary.requestsPerSecond)} req/s; ${report.totalSamples} samples over ${fmt(report.windowMs)} ms` +
      (report.windowIgnored ? ' (WINDOW MISSED THE PROFILE: whole profile counted)' : ' (load window only)'),
  );
  log(
    table([
      ['self time: function', 'location', 'samples', '%', 'called from (share of its samples)'],
      ...report.functions.map((entry) => [
        entry.name,
        entry.location,
        String(entry.samples),
        fmt(entry.percent, 1),
        (entry.callers ?? []).map((caller) => `${caller.name} ${fmt(caller.percent)}%`).join('; '),
      ]),
    ]),
  );
  log('');
  log(
    table([
      ['total time (on the stack): function', 'location', '%'],
      ...report.inclusive.slice(0, 30).map((entry) => [entry.name, entry.location, fmt(entry.percent, 1)]),
    ]),
  );
  log('');
  log(
    table([
      ['self time: package / folder', 'samples', '%'],
      ...report.groups.slice(0, 15).map((entry) => [entry.name, String(entry.samples), fmt(entry.percent, 1)]),
    ]),
  );
  return { ...report, requestsPerSecond: summary.requestsPerSecond };
}

function sizeOf(file: string): number {
  return statSync(file).size;
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function parseCli(argv: readonly string[]): HttpBenchmarkOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      corpus: { type: 'string' },
      seed: { type: 'string' },
      'content-dir': { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      repetitions: { type: 'string' },
      connections: { type: 'string' },
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
