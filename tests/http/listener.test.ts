import { once } from 'node:events';
import { Agent, type IncomingMessage, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../support.js';

/** Reads a whole response body as text. */
async function text(response: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of response) body += chunk;
  return body;
}

describe('the listener of a server process', () => {
  it('should turn readiness 503, refuse new connections, finish in-flight requests and exit 0 within 10 s', async () => {
    const server = await startServerProcess();
    const { port } = new URL(server.origin);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string, agent?: Agent) =>
      new Promise<IncomingMessage>((resolve, reject) =>
        request({ host: '127.0.0.1', port, path, agent }, resolve).on('error', reject).end(),
      );

    // An idle keep-alive connection, open before the signal.
    const before = await get('/ready', keepAlive);
    expect([before.statusCode, await text(before)]).toEqual([200, '{"status":"ready"}']);

    // An in-flight request: its headers are sent, its body only half.
    const body = JSON.stringify({ query: '{ articles(first: 2) { totalCount nodes { slug } } }' });
    const inFlight = request({
      host: '127.0.0.1',
      port,
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const inFlightResponse = once(inFlight, 'response') as Promise<[IncomingMessage]>;
    inFlight.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const stopped = performance.now();
    const exited = once(server.process, 'exit');
    server.process.kill('SIGTERM');
    while (!server.output().includes('SIGTERM received')) await new Promise((resolve) => setTimeout(resolve, 10));

    // Readiness on the open connection: 503, and the server asks to close it.
    const during = await get('/ready', keepAlive);
    expect([during.statusCode, during.headers.connection, await text(during)]).toEqual([503, 'close', '{"status":"stopping"}']);

    // A new connection is refused.
    await expect(get('/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // The in-flight request completes normally.
    inFlight.end(body.slice(10));
    const [response] = await inFlightResponse;
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(await text(response)).data.articles.nodes).toHaveLength(2);

    const [code] = await exited;
    expect(code).toBe(0);
    expect(performance.now() - stopped).toBeLessThan(10_000);
    keepAlive.destroy();
  });

  it('should exit 0 on SIGTERM', async () => {
    const other = await startServerProcess();
    expect(await other.stop()).toBe(0);
    expect(other.output()).toContain('SIGTERM received');
  });

  it('should answer /health and /ready', async () => {
    const server = await startServerProcess();
    try {
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);
      const ready = await fetch(`${server.origin}/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    } finally {
      await server.stop();
    }
  });
});
