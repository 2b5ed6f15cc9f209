/**
 * One peer server of the HTTP benchmark, run as its own process by bench/http.ts:
 *
 *   node --import tsx bench/http-peers.ts --kind ceiling|mercurius|apollo --content-dir DIR [--responses FILE]
 *
 * It binds 127.0.0.1 on an ephemeral port and prints `HTTP_PEER_READY <port>` on stdout once it
 * serves. SIGTERM or SIGINT exits at once.
 *
 * - `ceiling`: a bare node:http server that answers each known request body (or GET URL) with its
 *   pre-serialised response (from FILE, a JSON object body or URL -> response text); no GraphQL at all.
 * - `mercurius`: fastify + mercurius with graphql-jit (`jit: 1`: compiled after the first use),
 *   serving the project's Pothos schema with a fresh public RequestContext per request.
 * - `apollo`: Apollo Server 4 standalone, same schema, same context.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../src/content/load.js';
import { SearchIndex } from '../src/content/search.js';
import { type ContextOptions, createContext, type RequestContext } from '../src/context.js';
import { schema } from '../src/schema/index.js';

/** The peer kinds this script can serve. (Not exported: importing this file starts a server.) */
const PEER_KINDS = ['ceiling', 'mercurius', 'apollo'] as const;
type PeerKind = (typeof PEER_KINDS)[number];

/** The line a peer prints once it serves; the port follows it. */
const READY_PREFIX = 'HTTP_PEER_READY';

const HOST = '127.0.0.1';

async function serveCeiling(responsesFile: string): Promise<number> {
  const table = JSON.parse(readFileSync(responsesFile, 'utf8')) as Record<string, string>;
  const responses = new Map<string, Buffer>(Object.entries(table).map(([body, response]) => [body, Buffer.from(response)]));
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
      // A POST is known by its body, a GET by its URL.
      const key = request.method === 'GET' ? request.url : request.method === 'POST' && request.url === '/graphql' ? body : undefined;
      const answer = key === undefined ? undefined : responses.get(key);
      if (answer === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('unknown request body');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

async function serveMercurius(contextOptions: ContextOptions): Promise<number> {
  const { default: Fastify } = await import('fastify');
  const { default: mercurius } = await import('mercurius');
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema,
    graphiql: false,
    jit: 1,
    path: '/graphql',
    context: (request): RequestContext => createContext(contextOptions, request.headers.authorization ?? null),
  });
  await app.listen({ port: 0, host: HOST });
  return (app.server.address() as AddressInfo).port;
}

async function serveApollo(contextOptions: ContextOptions): Promise<number> {
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const server = new ApolloServer<RequestContext>({ schema });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: HOST },
    context: async ({ req }) => createContext(contextOptions, req.headers.authorization ?? null),
  });
  return Number(new URL(url).port);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { kind: { type: 'string' }, 'content-dir': { type: 'string' }, responses: { type: 'string' } },
    strict: true,
  });
  const kind = values.kind as PeerKind | undefined;
  if (kind === undefined || !PEER_KINDS.includes(kind)) throw new Error(`--kind must be one of ${PEER_KINDS.join(', ')}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

  let port: number;
  if (kind === 'ceiling') {
    if (!values.responses) throw new Error('--responses FILE is required for the ceiling');
    port = await serveCeiling(values.responses);
  } else {
    if (!values['content-dir']) throw new Error('--content-dir DIR is required');
    const { corpus } = await loadCorpus(values['content-dir']);
    const contextOptions: ContextOptions = { corpus, previewToken: null, search: new SearchIndex({ current: corpus }) };
    port = kind === 'mercurius' ? await serveMercurius(contextOptions) : await serveApollo(contextOptions);
  }
  process.stdout.write(`${READY_PREFIX} ${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`http-peers: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
