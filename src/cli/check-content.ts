/**
 * `npm run check-content -- [dir] [--strict] [--site-url URL] [--max-file-bytes N]`: loads a content
 * directory with the server's configuration (the same flags and environment variables) and prints a
 * summary and every diagnostic, for content repositories' own CI. The directory defaults to
 * CONTENT_DIR, then `content`. Exit codes: 0 loaded; 1 under --strict with any diagnostic, when
 * the directory cannot be read, or when the content does not fit in memory; 2 for a usage error.
 */
import { ConfigError, loadOptionsOf, readCommandLine } from '../config.js';
import { loadCorpus } from '../content/load.js';
import { CorpusTooLargeError } from '../content/memory.js';
import { formatDiagnostic, formatSummary } from '../content/report.js';

const USAGE = 'usage: npm run check-content -- [dir] [--strict] [--site-url URL] [--max-file-bytes N]\n';

async function main(): Promise<number> {
  let commandLine: ReturnType<typeof readCommandLine>;
  try {
    commandLine = readCommandLine(process.argv.slice(2), process.env, { positionals: true, help: true });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`check-content: ${error.message}\n`);
    return 2;
  }
  const { config, positionals, help } = commandLine;
  if (help || positionals.length > 1) {
    process.stdout.write(USAGE);
    return help ? 0 : 2;
  }
  const directory = positionals[0] ?? config.contentDir;
  let result: Awaited<ReturnType<typeof loadCorpus>>;
  try {
    result = await loadCorpus(directory, loadOptionsOf(config));
  } catch (error) {
    const reason =
      error instanceof CorpusTooLargeError ? error.message : `cannot read the content directory ${directory}: ${(error as Error).message}`;
    process.stderr.write(`check-content: ${reason}\n`);
    return 1;
  }
  const lines = [formatSummary(directory, result), ...result.corpus.diagnostics.map(formatDiagnostic)];
  process.stdout.write(`${lines.join('\n')}\n`);
  return config.strict && result.corpus.diagnostics.length > 0 ? 1 : 0;
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
process.exitCode = await main();
