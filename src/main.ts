/**
 * `npm start`: reads the configuration, listens at once (answering 503 while loading), loads the
 * content directory, then serves GraphQL. Exit codes: 2 for a configuration error; 1 when it cannot
 * listen, cannot read the content directory, or (STRICT) the content has any diagnostic; 0 after a
 * graceful stop.
 */
import './default-node-env.js';
import { type Config, ConfigError, loadOptionsOf, readConfig } from './config.js';
import { loadCorpus } from './content/load.js';
import { countBySeverity, formatDiagnostic, formatLoadLine } from './content/report.js';
import { listen } from './http/listener.js';
import { createLogger, type Logger } from './log.js';

async function start(config: Config, log: Logger): Promise<void> {
  const listener = await listen({ host: config.host, port: config.port, log });

  // Large corpora are parsed on worker threads, so this thread loads the GraphQL server meanwhile.
  const loading = loadCorpus(config.contentDir, loadOptionsOf(config));
  const serverModule = import('./http/server.js');
  let loaded: Awaited<typeof loading>;
  try {
    loaded = await loading;
  } catch (error) {
    log.error(`cannot read the content directory ${config.contentDir}: ${(error as Error).message}`);
    process.exit(1);
  }
  const { corpus } = loaded;
  for (const diagnostic of corpus.diagnostics) {
    (diagnostic.severity === 'error' ? log.error : log.warn)(formatDiagnostic(diagnostic));
  }
  if (config.strict && corpus.diagnostics.length > 0) {
    const { errors, warnings } = countBySeverity(corpus.diagnostics);
    log.error(`strict mode: ${errors} errors and ${warnings} warnings in ${config.contentDir}; exiting`);
    process.exit(1);
  }
  if (listener.phase() === 'stopping') return;
  const { createServer } = await serverModule;
  listener.serve(createServer({ corpus, previewToken: config.previewToken, limits: config.limits, maxBodyBytes: config.maxBodyBytes }));
  log.info(`${formatLoadLine(config.contentDir, loaded)}; preview ${config.previewToken ? 'enabled' : 'disabled'}`);
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  log.info(`serving GraphQL and GraphiQL at http://${shownHost}:${listener.port}/graphql`);
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
