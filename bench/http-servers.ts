/**
 * The servers under test of the HTTP benchmark, each its own process pinned to the server core and
 * bound to 127.0.0.1: ours as `npm start` runs it, and the peers of bench/http-peers.ts.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR, PROJECT_DIR } from './lib/paths.js';
import { freePort, sleep, spawnPinned, tail } from './lib/processes.js';

/** Every server the benchmark knows, in report order. */
export const SERVER_NAMES = ['ours', 'ours-heap', 'mercurius', 'apollo', 'ceiling'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** The settings that make ours execute every request: the response cache off (bench/http-cache.ts measures it). */
export const EXECUTE_EVERY_REQUEST: Readonly<Record<string, string>> = { RESPONSE_CACHE_BYTES: '0' };

/** The core every server is pinned to (idle ones cost nothing). */
export const SERVER_CORE = '0';

const HOST = '127.0.0.1';
/** The line bench/http-peers.ts prints once it serves; the port follows it. */
const PEER_READY_PREFIX = 'HTTP_PEER_READY';

/** A running server under test. */
export interface RunningServer {
  readonly name: ServerName;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Where it answers GraphQL POSTs. */
  readonly url: string;
  /** The last lines it wrote on stderr. */
  readonly stderr: () => string;
}

function exitMessage(name: string, child: ChildProcess, stderr: () => string): string {
  return `${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${stderr()}`;
}

/** Starts a peer (the ceiling serves `responsesFile`, the others load `contentDir`); resolves once it serves. */
export async function startPeer(
  name: Exclude<ServerName, 'ours' | 'ours-heap'>,
  contentDir: string,
  responsesFile: string,
): Promise<RunningServer> {
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

/**
 * Ours as shipped: dist/main.mjs as `npm start` runs it (build it first), its content store in
 * `cacheDir` (`off`: records on the heap, as `ours-heap`), with any other `settings` (environment
 * variables); resolves once `/ready` answers 200.
 */
export async function startOurs(
  contentDir: string,
  cacheDir: string,
  nodeArgs: readonly string[] = [],
  timeoutMs = 300_000,
  name: 'ours' | 'ours-heap' = cacheDir === 'off' ? 'ours-heap' : 'ours',
  settings: Readonly<Record<string, string>> = {},
): Promise<RunningServer> {
  const port = await freePort(HOST);
  const env = {
    ...process.env,
    CONTENT_DIR: contentDir,
    CACHE_DIR: cacheDir,
    PORT: String(port),
    HOST,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...settings,
  };
  const child = spawnPinned(SERVER_CORE, ['--enable-source-maps', ...nodeArgs], path.join(PROJECT_DIR, 'dist', 'main.mjs'), [], env);
  const stderr = tail(child.stderr);
  tail(child.stdout);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(exitMessage(name, child, stderr));
    try {
      const response = await fetch(`http://${HOST}:${port}/ready`);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${stderr()}`);
    await sleep(100);
  }
  return { name, child, pid: child.pid!, url: `http://${HOST}:${port}/graphql`, stderr };
}
