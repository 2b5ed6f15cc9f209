/** What the HTTP benchmark measures and returns, and how runs become medians, ratios and targets. */
import type { LoadSummary } from './http-load.js';
import type { ServerName } from './http-servers.js';
import type { QueryWork } from './http-work.js';
import type { ProfileSummary } from './lib/cpu-profile.js';
import { readRss } from './lib/proc.js';
import { median } from './lib/stats.js';

/** The load settings of a run, and the machine it ran on. */
export interface HttpSettings {
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly repetitions: number;
  readonly connections: number;
  readonly pipelining: number;
  readonly node: string;
  readonly cpus: number;
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

/** One target on a ratio; `pass` null when the ratio could not be measured. */
export interface TargetCheck {
  readonly name: string;
  readonly value: number | null;
  readonly threshold: string;
  readonly pass: boolean | null;
}

/** Every server's figures on one query, and ours' ratios to the others. */
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

/** The whole result of the HTTP benchmark (printed as the `BENCH_HTTP_JSON` line). */
export interface HttpBenchmarkResult {
  readonly corpus: { readonly source: string; readonly articles: number; readonly publicArticles: number; readonly loadMs: number };
  /** Which code was measured: a hash of every file under src/ and the newest modification time. */
  readonly src: { readonly sha1: string; readonly newestChange: string };
  readonly settings: HttpSettings;
  /** RSS of each server once ready, before any load (MB). */
  readonly rssAtStartMB: Partial<Record<ServerName, number>>;
  readonly queries: readonly QueryResult[];
  /** The targets on the hot list: the gate. */
  readonly pass: boolean | null;
  readonly profile: (ProfileSummary & { readonly requestsPerSecond: number }) | null;
  /** 1-minute load average when the run started and ended (2 cores: above ~1.5 means contention). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly elapsedSeconds: number;
}

/** The medians of one server's timed runs on a query, with its RSS now. */
export function serverResult(server: ServerName, pid: number, runs: readonly TimedRun[]): ServerQueryResult {
  const medianOf = (key: keyof TimedRun & keyof ServerQueryResult) => median(runs.map((run) => run[key] as number));
  return {
    server,
    requestsPerSecond: medianOf('requestsPerSecond'),
    latencyP50: medianOf('latencyP50'),
    latencyP99: medianOf('latencyP99'),
    serverCpuPercent: medianOf('serverCpuPercent'),
    serverCpuMsPerRequest: medianOf('serverCpuMsPerRequest'),
    generatorCpuPercent: medianOf('generatorCpuPercent'),
    otherCpuPercent: medianOf('otherCpuPercent'),
    ...readRss(pid),
    runs,
  };
}

/** Ours' ratios to every other server on one query, and the targets on them. */
export function targetsOf(byServer: ReadonlyMap<ServerName, ServerQueryResult>): {
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
      check('ours (content store) / ours-heap req/s', oursOver['ours-heap'], '>= 0.9', (v) => v >= 0.9),
      check('ours / apollo req/s', oursOver.apollo, '>= 2', (v) => v >= 2),
      check('p99 ours / mercurius', p99, '<= 3', (v) => v <= 3),
    ],
  };
}
