import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { expect } from 'vitest';
import type { Corpus } from '../src/content/corpus.js';
import { loadCorpus } from '../src/content/load.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../src/http/limits.js';
import { createServer, type NewsgraphServer, type ServerOptions } from '../src/http/server.js';
import { PROJECT_ROOT } from './paths.js';

/** The preview token the test servers use. */
export const PREVIEW_TOKEN = 'test-preview-token';

/** A GraphQL response as the tests read it. */
export interface GraphQLResponse<TData = any> {
  status: number;
  headers: Headers;
  body: {
    data?: TData;
    errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
    extensions?: Record<string, any>;
  };
}

const corpora = new Map<string, Promise<Corpus>>();

/** Loads a content directory once per test file and shares the (immutable) corpus. */
export function corpusOf(directory: string): Promise<Corpus> {
  let corpus = corpora.get(directory);
  if (corpus === undefined) {
    corpus = loadCorpus(directory).then((result) => result.corpus);
    corpora.set(directory, corpus);
  }
  return corpus;
}

/** Limits high enough for tests whose point is not the limits (whole-corpus queries). */
export const GENEROUS_LIMITS: QueryLimits = { ...DEFAULT_QUERY_LIMITS, maxCost: 100_000_000 };

/** Each JIT server's twin executing with graphql-js, for the parity check in `execute`. */
const graphqlJsTwins = new WeakMap<NewsgraphServer, NewsgraphServer>();

/**
 * An in-process server over a content directory, reporting batch calls, with preview enabled,
 * executing through graphql-jit as shipped. `execute` sends every request to a graphql-js twin too
 * and fails the test when the two answers differ.
 */
export async function serverOf(directory: string, options: Partial<ServerOptions> = {}): Promise<NewsgraphServer> {
  const serverOptions: ServerOptions = {
    corpus: await corpusOf(directory),
    previewToken: PREVIEW_TOKEN,
    reportBatchCalls: true,
    ...options,
  };
  const server = createServer(serverOptions);
  if (serverOptions.jit !== false) graphqlJsTwins.set(server, createServer({ ...serverOptions, jit: false }));
  return server;
}

/** Runs one GraphQL document through `yoga.fetch`, as a client would over HTTP (POST, JSON). */
export async function execute<TData = any>(
  yoga: NewsgraphServer,
  query: string,
  variables: Record<string, unknown> = {},
  options: { preview?: boolean; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<TData>> {
  const send = async (server: NewsgraphServer): Promise<GraphQLResponse<TData>> => {
    const response = await server.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(options.preview ? { authorization: `Bearer ${PREVIEW_TOKEN}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  const result = await send(yoga);
  const twin = graphqlJsTwins.get(yoga);
  if (twin !== undefined) {
    const reference = await send(twin);
    expect({ status: result.status, body: result.body }, 'graphql-jit and graphql-js must answer alike').toEqual({
      status: reference.status,
      body: reference.body,
    });
  }
  return result;
}

/** A server process started with `npm start`'s entry point on an ephemeral port. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** How `npm start` runs the server once built (tests/global-setup.ts builds dist/). */
export const SERVER_ARGS = ['--enable-source-maps', path.join(PROJECT_ROOT, 'dist/main.mjs')];

/**
 * Starts the built server (dist/main.mjs) as a child process on 127.0.0.1 with an ephemeral port
 * and resolves once it logs the URL it serves; rejects if it exits first or takes longer than `timeoutMs`.
 */
export async function startServerProcess(env: Record<string, string> = {}, timeoutMs = 20_000): Promise<RunningServer> {
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = () => {
      const match = /serving GraphQL and GraphiQL at http:\/\/[^:]+:(\d+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving:\n${output}`));
    });
  });
  return {
    origin,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}
