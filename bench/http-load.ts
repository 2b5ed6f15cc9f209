/**
 * The load generator of the HTTP benchmark: a long-lived child process (bench/http.ts starts it
 * pinned to its own core, with an IPC channel) that runs autocannon once per message and answers
 * with a summary. Message in: a LoadRequest; message out: a LoadReply with the same id.
 */
import autocannon from 'autocannon';

/** The text in a body that NONCE_BODIES runs replace with a number of their own for each request. */
export const NONCE = '__NONCE__';

/**
 * One autocannon run: POST each body in turn (rotating across all connections) to `url`, or GET
 * `url` (its query string holds the request) with `method: 'GET'`.
 */
export interface LoadRequest {
  readonly id: number;
  readonly url: string;
  readonly bodies: readonly string[];
  /** Default POST. */
  readonly method?: 'GET' | 'POST';
  /** Extra request headers (an If-None-Match, for a run of revalidations). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Every body's (or GET URL's) NONCE is replaced with a number no other request of the run has: no two requests alike. */
  readonly nonce?: boolean;
  /** The status every response must have: 200 (default) or 304. */
  readonly expectedStatus?: 200 | 304;
  readonly connections: number;
  readonly pipelining: number;
  /** Seconds. */
  readonly duration: number;
  /** Seconds before a request counts as timed out. */
  readonly timeout: number;
  /** autocannon's sample interval in ms; a run ends on a sample tick, so keep it <= duration. */
  readonly sampleInt: number;
}

/** What one run measured. Latencies in milliseconds. */
export interface LoadSummary {
  readonly requestsPerSecond: number;
  readonly completed2xx: number;
  readonly durationSeconds: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly latencyMean: number;
  readonly latencyMax: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly mismatches: number;
  readonly resets: number;
  readonly statusCodes: Record<string, number>;
  readonly bytesPerSecond: number;
}

export type LoadReply =
  | { readonly id: number; readonly ok: true; readonly summary: LoadSummary }
  | { readonly id: number; readonly ok: false; readonly error: string };

/**
 * The next NONCE number, counted over every run of this process: a count started again per run
 * would repeat the warm-up's requests in each timed run (a cache then stores and answers them).
 */
let nonce = 0;

async function run(request: LoadRequest): Promise<LoadSummary> {
  const bodies = request.bodies;
  let next = 0;
  const method = request.method ?? 'POST';
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    pipelining: request.pipelining,
    duration: request.duration,
    timeout: request.timeout,
    sampleInt: request.sampleInt,
    requests: [
      method === 'GET'
        ? {
            method,
            headers: { accept: 'application/json', ...request.headers },
            ...(request.nonce ? { setupRequest: (req) => ({ ...req, path: req.path!.replace(NONCE, String(nonce++)) }) } : {}),
          }
        : {
            method,
            headers: { 'content-type': 'application/json', accept: 'application/json', ...request.headers },
            body: bodies[0]!,
            // Called before every request: the bodies rotate across all connections.
            ...(bodies.length > 1 || request.nonce
              ? {
                  setupRequest: (req) => {
                    const body = bodies[next]!;
                    next = next + 1 === bodies.length ? 0 : next + 1;
                    return { ...req, body: request.nonce ? body.replace(NONCE, String(nonce++)) : body };
                  },
                }
              : {}),
          },
    ],
  });
  // A run of revalidations counts its 304s as the completed requests.
  const completed = request.expectedStatus === 304 ? Number(result.statusCodeStats['304']?.count ?? 0) : result['2xx'];
  return {
    requestsPerSecond: completed / result.duration,
    completed2xx: completed,
    durationSeconds: result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMean: result.latency.mean,
    latencyMax: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    // In a run of revalidations, a 200 is as wrong as an error status.
    non2xx: request.expectedStatus === 304 ? result.non2xx - completed + result['2xx'] : result.non2xx,
    mismatches: result.mismatches,
    resets: result.resets,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)])),
    bytesPerSecond: result.throughput.average,
  };
}

if (process.send !== undefined) {
  process.on('message', (message: LoadRequest) => {
    run(message).then(
      (summary) => process.send!({ id: message.id, ok: true, summary } satisfies LoadReply),
      (error: unknown) =>
        process.send!({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        } satisfies LoadReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}
