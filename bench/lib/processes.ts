/**
 * Child processes of a benchmark: spawned pinned to a core, tracked so that none outlives the run
 * (exit and signal handlers, and a watchdog shell for when this process is killed outright).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_DIR } from './paths.js';

const children = new Set<ChildProcess>();
const workDirectories = new Set<string>();
/** The file the watchdog reads the children's pids from (one per line), once it exists. */
let watchdogPidFile: string | null = null;
let exitHandlersInstalled = false;

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
  const watchdog = spawn('sh', ['-c', script, 'newsgraph-bench-watchdog', watchdogPidFile, work], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

/** A fresh temporary directory, removed (and every child stopped) at exit, on a signal, or by a watchdog if this process is killed. */
export function openWorkDirectory(prefix: string): string {
  const work = mkdtempSync(path.join(os.tmpdir(), prefix));
  workDirectories.add(work);
  startWatchdog(work);
  return work;
}

/** Stops every child, disarms the watchdog (pids may be reused later) and removes the directory. */
export async function closeWorkDirectory(work: string): Promise<void> {
  await stopAllChildren();
  if (watchdogPidFile !== null && existsSync(watchdogPidFile)) writeFileSync(watchdogPidFile, '');
  rmSync(work, { recursive: true, force: true });
  workDirectories.delete(work);
}

/** SIGTERM every child still running; SIGKILL those still there after `graceMs`. */
export async function stopAllChildren(graceMs = 5_000): Promise<void> {
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(running.map((child) => stopChild(child, graceMs)));
}

/** SIGTERM the child and wait for its exit; SIGKILL it after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** On exit, SIGTERM every child and remove the work directories; on SIGINT, SIGTERM or SIGHUP, stop the children and exit 130. Once per process. */
export function installExitHandlers(name: string): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    for (const directory of workDirectories) rmSync(directory, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${name}: ${signal}, stopping the servers\n`);
      void stopAllChildren(2_000).finally(() => process.exit(130));
    });
  }
}

/** Keeps the last `limit` characters a stream wrote, for error messages. */
export function tail(stream: NodeJS.ReadableStream | null, limit = 8_000): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text;
}

/** Spawns `node [nodeArgs] script args` pinned to one core with taskset (through tsx when the script is TypeScript), tracked. */
export function spawnPinned(
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

/** Spawns `node [nodeArgs] script args` on any core (stdout and stderr piped), tracked like spawnPinned's children. */
export function spawnTracked(nodeArgs: readonly string[], script: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: PROJECT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return track(child);
}

/** A TCP port on `host` that was free a moment ago. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
