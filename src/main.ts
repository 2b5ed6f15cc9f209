/**
 * `npm start`: reads the configuration, starts listening at once (answering 503 on `/ready` and
 * `/graphql` while loading), loads the content directory, then serves GraphQL. SIGTERM / SIGINT:
 * readiness 503, new connections refused, in-flight requests finished, exit 0 within 10 s.
 */
import './production.js';
import { createServer as createHttpServer, type RequestListener, type ServerResponse } from 'node:http';
import { Server } from 'node:net';
import { type Config, ConfigError, readConfig } from './config.js';
import { loadCorpus } from './content/load.js';
import { countBySeverity, formatDiagnostic } from './content/report.js';
import { createLogger, type Logger } from './log.js';

/** How long a graceful shutdown may wait for in-flight requests before closing them. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How long idle keep-alive connections may still send a request after a stop signal. */
const DRAIN_MS = 1_000;
/** The longest a whole request (headers and body) may take to arrive. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The longest the request headers may take to arrive. */
const HEADERS_TIMEOUT_MS = 10_000;
/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Where the process is in its life: readiness answers 200 only in `serving`. */
type Phase = 'loading' | 'serving' | 'stopping';

function sendJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify(body));
}

async function start(config: Config, log: Logger): Promise<void> {
  let phase: Phase = 'loading';
  let yoga: RequestListener | null = null;
  const server = createHttpServer(
    // A slow or stalled client cannot hold a connection for long.
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
    (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (phase === 'stopping') response.setHeader('connection', 'close');
      if (path === '/health') return sendJson(response, 200, { status: 'alive' });
      if (path === '/ready' && phase !== 'serving') return sendJson(response, 503, { status: phase });
      if (yoga === null) return sendJson(response, 503, { status: phase, message: 'The content is still loading; retry shortly.' });
      yoga(request, response);
    },
  );
  server.on('error', (error) => {
    log.error(`cannot listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;

  /**
   * Graceful stop: readiness turns 503 and new connections are refused at once; requests on open
   * connections still get answers (with `Connection: close`); idle connections are closed after a
   * short drain; the process exits 0 when the last connection closes, or after the grace period.
   */
  const stop = (signal: string) => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    log.info(`${signal} received: refusing new connections, finishing in-flight requests, exiting within ${SHUTDOWN_GRACE_MS / 1000} s`);
    // http.Server#close would also drop idle keep-alive connections at once; closing only the
    // listening socket refuses new connections while open ones can still hear "stopping".
    Server.prototype.close.call(server, () => process.exit(0));
    setTimeout(() => server.closeIdleConnections(), DRAIN_MS).unref();
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // Large corpora are parsed on worker threads, so this thread loads the GraphQL server meanwhile.
  const loading = loadCorpus(config.contentDir, { siteUrl: config.siteUrl, maxFileBytes: config.maxFileBytes });
  const serverModule = import('./server.js');
  let loaded;
  try {
    loaded = await loading;
  } catch (error) {
    log.error(`cannot read the content directory ${config.contentDir}: ${(error as Error).message}`);
    process.exit(1);
  }
  const { corpus, timings } = loaded;
  const { errors, warnings } = countBySeverity(corpus.diagnostics);
  for (const diagnostic of corpus.diagnostics) {
    (diagnostic.severity === 'error' ? log.error : log.warn)(formatDiagnostic(diagnostic));
  }
  if (config.strict && corpus.diagnostics.length > 0) {
    log.error(`strict mode: ${errors} errors and ${warnings} warnings in ${config.contentDir}; exiting`);
    process.exit(1);
  }
  // A stop signal may have come while loading (the compiler cannot see the handler change it).
  if ((phase as Phase) === 'stopping') return;
  const { createServer } = await serverModule;
  yoga = createServer({ corpus, previewToken: config.previewToken, limits: config.limits, maxBodyBytes: config.maxBodyBytes });
  phase = 'serving';
  const { preview, public: publicView } = corpus;
  log.info(
    `loaded ${config.contentDir}: ${publicView.stats.articles} articles, ${preview.stats.drafts} drafts, ` +
      `${publicView.stats.providers} providers, ${publicView.stats.topics} topics, ${errors} errors, ${warnings} warnings ` +
      `in ${Math.round(timings.totalMs)} ms; preview ${config.previewToken ? 'enabled' : 'disabled'}`,
  );
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  log.info(`serving GraphQL and GraphiQL at http://${shownHost}:${port}/graphql`);
}

let config: Config;
try {
  config = readConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`newsgraph: ${error.message}\n`);
  process.exit(2);
}
await start(config, createLogger(config.logLevel));
