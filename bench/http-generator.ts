/** The HTTP benchmark's side of its load generator: the bench/http-load.ts child, pinned to its own core, driven over IPC. */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoadReply, LoadRequest, LoadSummary } from './http-load.js';
import type { TimedRun } from './http-results.js';
import type { RunningServer } from './http-servers.js';
import { BENCH_DIR } from './lib/paths.js';
import { cpuMs, systemBusyMs } from './lib/proc.js';
import { spawnPinned, stopChild, tail } from './lib/processes.js';

/** The core the load generator is pinned to. */
export const LOAD_CORE = '1';

/** The autocannon child: one run per `run` call, answered in order of the calls' ids. */
export class LoadGenerator {
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

  /** Starts the child; resolves once it is ready for runs. */
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

  /** One autocannon run and what it measured. */
  run(request: Omit<LoadRequest, 'id'>): Promise<LoadSummary> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id } satisfies LoadRequest);
    });
  }

  /** The child's pid, for its CPU time. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Stops the child. */
  stop(): Promise<void> {
    return stopChild(this.child, 2_000);
  }
}

/** Throws on any error, non-2xx, timeout or mismatch of a run, and (when `requireResponses`) on a run without a 2xx. */
export function assertClean(summary: LoadSummary, where: string, requireResponses = true): void {
  const problems = (['errors', 'timeouts', 'non2xx', 'mismatches'] as const).filter((key) => summary[key] !== 0);
  if (problems.length > 0 || (requireResponses && summary.completed2xx === 0)) {
    throw new Error(
      `LOAD RUN FAILED (${where}): ${problems.map((key) => `${key}=${summary[key]}`).join(', ') || 'no 2xx response'}; status codes ${JSON.stringify(summary.statusCodes)}`,
    );
  }
}

/**
 * One run against `server`, with the CPU the server (the processes `serverPids`, default its own),
 * the generator and every other process used meanwhile; throws if the run was not clean
 * (`requireResponses`: at least one 2xx) or the server died.
 */
export async function timedRun(
  load: LoadGenerator,
  server: RunningServer,
  request: Omit<LoadRequest, 'id'>,
  where: string,
  requireResponses: boolean,
  serverPids: readonly number[] = [server.pid],
): Promise<TimedRun> {
  const serverCpuMs = () => serverPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const serverCpu0 = serverCpuMs();
  const generatorCpu0 = cpuMs(load.pid);
  const busy0 = systemBusyMs();
  const wall0 = performance.now();
  const summary = await load.run(request);
  const wall = performance.now() - wall0;
  const serverCpu = serverCpuMs() - serverCpu0;
  const generatorCpu = cpuMs(load.pid) - generatorCpu0;
  const otherCpu = systemBusyMs() - busy0 - serverCpu - generatorCpu;
  assertClean(summary, where, requireResponses);
  if (server.child.exitCode !== null) throw new Error(`${server.name} died during the run:\n${server.stderr()}`);
  return {
    ...summary,
    serverCpuPercent: (100 * serverCpu) / wall,
    serverCpuMsPerRequest: serverCpu / Math.max(1, summary.completed2xx),
    generatorCpuPercent: (100 * generatorCpu) / wall,
    otherCpuPercent: Math.max(0, (100 * otherCpu) / wall),
  };
}
