/**
 * Builds the reader (esbuild bundles app.ts with its typed client) and serves it over HTTP.
 * `npm run reader` serves it at http://localhost:5173 for the API at http://localhost:4000/graphql;
 * `NEWSGRAPH_URL` and `READER_PORT` change them.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The reader's script: app.ts and everything it imports, bundled for browsers. */
export async function bundleReader(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(HERE, 'app.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A running reader: where it is, and how to stop it. */
export interface RunningReader {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the reader on `port` (0 for any free one) of `host`, for the GraphQL endpoint `apiUrl`. */
export async function startReader(apiUrl: string, port = 0, host = '127.0.0.1'): Promise<RunningReader> {
  // The page learns its endpoint from a script before the app; `<` is escaped so the URL cannot end it.
  const endpoint = `<script>window.NEWSGRAPH_URL = ${JSON.stringify(apiUrl).replaceAll('<', '\\u003c')};</script>`;
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html', body: readFileSync(path.join(HERE, 'index.html'), 'utf8').replace('</head>', `${endpoint}\n  </head>`) },
    '/style.css': { type: 'text/css', body: readFileSync(path.join(HERE, 'style.css'), 'utf8') },
    '/app.js': { type: 'text/javascript', body: await bundleReader() },
  };
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://reader').pathname];
    if (file === undefined) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': `${file.type}; charset=utf-8` }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const apiUrl = process.env.NEWSGRAPH_URL ?? 'http://localhost:4000/graphql';
  const reader = await startReader(apiUrl, Number(process.env.READER_PORT ?? 5173), 'localhost');
  console.log(`Newsgraph reader at ${reader.url} (API: ${apiUrl})`);
}
