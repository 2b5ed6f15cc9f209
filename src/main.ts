/**
 * `npm start`: reads the configuration, starts listening at once (answering 503 on `/ready` and
 * `/graphql` while loading), loads the content directory, then serves GraphQL. SIGTERM / SIGINT:
 * stop accepting, let in-flight requests finish, exit 0.
 */
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { ConfigError, readConfig, type Config } from './config.js';
import { loadCorpus } from './content/load.js';
import { countBySeverity, formatDiagnostic } from './content/report.js';
import { createLogger, type Logger } from './log.js';
import { createServer } from './server.js';

/** How long a graceful shutdown may wait for in-flight requests before closing them. */
const SHUTDOWN_GRACE_MS = 10_000;
/** The longest a whole request (headers and body) may take to arrive. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The longest the request headers may take to arrive. */
const HEADERS_TIMEOUT_MS = 10_000;
/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Answers while the corpus loads: alive, not ready. */
const loadingListener: RequestListener = (request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  const status = path === '/health' ? 200 : 503;
  const body = path === '/health' ? { status: 'alive' } : { status: 'loading', message: 'The content is still loading; retry shortly.' };
  response.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify(body));
};

async function start(config: Config, log: Logger): Promise<void> {
  let listener: RequestListener = loadingListener;
  const server = createHttpServer(
    // A slow or stalled client cannot hold a connection for long.
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
    (request, response) => listener(request, response),
  );
  server.on('error', (error) => {
    log.error(`cannot listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: finishing in-flight requests, then exiting`);
    listener = (_request, response) => response.writeHead(503, { connection: 'close' }).end();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  let loaded;
  try {
    loaded = await loadCorpus(config.contentDir, { siteUrl: config.siteUrl, maxFileBytes: config.maxFileBytes });
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
  if (stopping) return;
  const yoga = createServer({ corpus, previewToken: config.previewToken, limits: config.limits, maxBodyBytes: config.maxBodyBytes });
  listener = yoga;
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
