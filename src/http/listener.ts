/**
 * The HTTP listener around the GraphQL server: it listens before the corpus is loaded, answers
 * `/health` (liveness) and `/ready` (readiness) itself, answers 503 until a GraphQL server is handed
 * to it, and stops gracefully on SIGTERM / SIGINT.
 */
import cluster from 'node:cluster';
import { createServer as createHttpServer, type RequestListener, type ServerResponse } from 'node:http';
import { Server } from 'node:net';
import type { Logger } from '../log.js';

/** How long a graceful shutdown may wait for in-flight requests before closing them. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How long idle keep-alive connections may still send a request after a stop signal. */
const DRAIN_MS = 1_000;
/**
 * How long a cluster's worker lives on once its listening socket has closed: a connection the
 * primary was handing it meanwhile arrives, is refused, and goes to another worker. (node:cluster
 * loses a connection handed to a process that has exited: the client never gets an answer.)
 */
const HANDOFF_DRAIN_MS = 500;
/** The longest a whole request (headers and body) may take to arrive. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The longest the request headers may take to arrive. */
const HEADERS_TIMEOUT_MS = 10_000;
/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Where the process is in its life: readiness answers 200 only in `serving`. */
export type Phase = 'loading' | 'serving' | 'stopping';

/** Where to listen, and where to log. */
export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
}

/** A listening HTTP server that serves GraphQL once it is handed a handler. */
export interface Listener {
  /** The port listened on (the one the system chose when the configured port is 0). */
  readonly port: number;
  /** The current phase. */
  phase(): Phase;
  /** Hands every request but `/health` and `/ready` to `handler` from now on; readiness turns 200. */
  serve(handler: RequestListener): void;
  /** Calls `callback` when a graceful stop begins (to end long-lived responses such as subscriptions). */
  onStop(callback: () => void): void;
}

/** The URL of GraphQL on `host:port` as a start line shows it: `localhost` for a host meaning every interface. */
export function graphqlUrl(host: string, port: number): string {
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shownHost}:${port}/graphql`;
}

/** Answers with a JSON body; a 503 asks the client to retry in a second. */
function sendJson(response: ServerResponse, status: number, body: object): void {
  response
    .writeHead(status, { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '1' } : {}) })
    .end(JSON.stringify(body));
}

/**
 * Starts listening on `host:port` and resolves once the socket is bound; exits the process with
 * code 1 when it cannot listen. Installs the SIGTERM / SIGINT handlers of the graceful stop:
 * readiness turns 503, the `onStop` callbacks run, and new connections are refused at once; requests on open connections still
 * get answers (with `Connection: close`); idle connections are closed after a short drain; the
 * process exits 0 when the last connection closes, or after the grace period.
 */
export async function listen(options: ListenerOptions): Promise<Listener> {
  const { host, log } = options;
  let phase: Phase = 'loading';
  let handler: RequestListener | null = null;
  const server = createHttpServer(
    // A slow or stalled client cannot hold a connection for long.
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
    (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (phase === 'stopping') response.setHeader('connection', 'close');
      if (path === '/health') return sendJson(response, 200, { status: 'alive' });
      if (path === '/ready') return sendJson(response, phase === 'serving' ? 200 : 503, { status: phase === 'serving' ? 'ready' : phase });
      if (handler === null) return sendJson(response, 503, { status: phase, message: 'The content is still loading; retry shortly.' });
      handler(request, response);
    },
  );
  server.on('error', (error) => {
    log.error(`cannot listen on ${host}:${options.port}: ${error.message}`);
    process.exit(1);
  });
  await new Promise<void>((resolve) => server.listen(options.port, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;

  const stopCallbacks: (() => void)[] = [];
  const stop = (signal: string) => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    for (const callback of stopCallbacks) callback();
    log.info(`${signal} received: refusing new connections, finishing in-flight requests, exiting within ${SHUTDOWN_GRACE_MS / 1000} s`);
    // http.Server#close would also drop idle keep-alive connections at once; closing only the
    // listening socket refuses new connections while open ones can still hear "stopping".
    Server.prototype.close.call(server, () => (cluster.isWorker ? setTimeout(() => process.exit(0), HANDOFF_DRAIN_MS) : process.exit(0)));
    setTimeout(() => server.closeIdleConnections(), DRAIN_MS).unref();
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  return {
    port,
    phase: () => phase,
    serve(next) {
      if (phase === 'stopping') return;
      handler = next;
      phase = 'serving';
    },
    onStop(callback) {
      stopCallbacks.push(callback);
    },
  };
}
