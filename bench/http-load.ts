/**
 * The load generator of the HTTP benchmark: a long-lived child process (bench/http.ts starts it
 * pinned to its own core, with an IPC channel) that runs autocannon once per message and answers
 * with a summary. Message in: a LoadRequest; message out: a LoadReply with the same id.
 */
import autocannon from 'autocannon';

/** One autocannon run: POST each body in turn (rotating across all connections) to `url`. */
export interface LoadRequest {
  readonly id: number;
  readonly url: string;
  readonly bodies: readonly string[];
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

async function run(request: LoadRequest): Promise<LoadSummary> {
  const bodies = request.bodies;
  let next = 0;
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    pipelining: request.pipelining,
    duration: request.duration,
    timeout: request.timeout,
    sampleInt: request.sampleInt,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: bodies[0]!,
        // Called before every request: the bodies rotate across all connections.
        ...(bodies.length > 1
          ? {
              setupRequest: (req) => {
                const body = bodies[next]!;
                next = next + 1 === bodies.length ? 0 : next + 1;
                return { ...req, body };
              },
            }
          : {}),
      },
    ],
  });
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    completed2xx: result['2xx'],
    durationSeconds: result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMean: result.latency.mean,
    latencyMax: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
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
