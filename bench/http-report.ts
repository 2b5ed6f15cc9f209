/** The HTTP benchmark's printed report: one table per query, and the profile of ours. */
import type { QueryResult } from './http-results.js';
import type { ServerName } from './http-servers.js';
import type { ProfileSummary } from './lib/cpu-profile.js';
import { fmt, table, verdict } from './lib/report.js';

const SERVER_LABELS: Record<ServerName, string> = {
  ours: 'ours (npm start)',
  'ours-heap': 'ours, records on the heap (CACHE_DIR=off)',
  mercurius: 'mercurius + graphql-jit',
  apollo: 'apollo server 4',
  ceiling: 'ceiling (node:http, no GraphQL)',
};

/** Prints one query's work in ours, every server's figures and ours' ratios, and its targets (`gating`: the hot list's decide the run). */
export function printQuery(result: QueryResult, log: (line: string) => void, gating: boolean): void {
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

/** Prints the profile of ours under load: self time by function (with callers), total time, and self time by package or file. */
export function printProfile(report: ProfileSummary, requestsPerSecond: number, log: (line: string) => void): void {
  log(
    `ours under the profiler: ${fmt(requestsPerSecond)} req/s; ${report.totalSamples} samples over ${fmt(report.windowMs)} ms` +
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
      ['self time: package / file', 'samples', '%'],
      ...report.groups.slice(0, 15).map((entry) => [entry.name, String(entry.samples), fmt(entry.percent, 1)]),
    ]),
  );
}
