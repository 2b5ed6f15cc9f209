/**
 * `npm run check-content -- [dir] [--strict] [--site-url URL]`: loads a content directory the way the
 * server does and prints a summary and every diagnostic, for content repositories' own CI.
 * Exit codes: 0 loaded; 1 under --strict with any diagnostic, or when the directory cannot be read;
 * 2 for a usage error.
 */
import { parseArgs } from 'node:util';
import { loadCorpus } from './content/load.js';
import { formatDiagnostic, formatSummary } from './content/report.js';

function main(): Promise<number> | number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        strict: { type: 'boolean', default: false },
        'site-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`check-content: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length > 1) {
    process.stdout.write('usage: npm run check-content -- [dir] [--strict] [--site-url URL]\n');
    return values.help ? 0 : 2;
  }
  // Empty environment variables count as unset, as for the server.
  const directory = positionals[0] ?? (process.env.CONTENT_DIR || 'content');
  return run(directory, values.strict, values['site-url'] ?? (process.env.SITE_URL || null));
}

async function run(directory: string, strict: boolean, siteUrl: string | null): Promise<number> {
  let result;
  try {
    result = await loadCorpus(directory, { siteUrl });
  } catch (error) {
    process.stderr.write(`check-content: cannot read the content directory ${directory}: ${(error as Error).message}\n`);
    return 1;
  }
  const lines = [formatSummary(directory, result), ...result.corpus.diagnostics.map(formatDiagnostic)];
  process.stdout.write(`${lines.join('\n')}\n`);
  return strict && result.corpus.diagnostics.length > 0 ? 1 : 0;
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
process.exitCode = await main();
