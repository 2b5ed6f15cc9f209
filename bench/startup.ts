/**
 * Start-up benchmark: how long the server as `npm start` runs it (dist/main.mjs, built first) takes
 * from spawn to its first answer of any kind
 * (listening; `/ready` still 503) and to its first 200 on a GraphQL query, on a generated corpus.
 * Target: first 200 within 1 s at 10k articles. `--quick`: 1k articles.
 *
 *   npx tsx bench/startup.ts [--quick] [--articles 10000] [--runs 3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.mjs';
import { generateCorpus } from './generate.js';
import { PROJECT_DIR } from './lib/paths.js';
import { sleep } from './lib/processes.js';
import { median } from './lib/stats.js';

const PORT = 4391;
const QUERY = JSON.stringify({ query: '{ articles(first: 1) { totalCount } }' });

/** Milliseconds from spawn to the first answer and to the first 200 of one server start. */
async function measureStart(contentDir: string): Promise<{ firstAnswerMs: number; first200Ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.mjs'], {
    cwd: PROJECT_DIR,
    env: { ...process.env, CONTENT_DIR: contentDir, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    let firstAnswerMs: number | null = null;
    while (performance.now() - started < 120_000) {
      try {
        const response = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: QUERY,
        });
        firstAnswerMs ??= performance.now() - started;
        if (response.status === 200) return { firstAnswerMs, first200Ms: performance.now() - started };
      } catch {
        // Not listening yet.
      }
      await sleep(10);
    }
    throw new Error('the server gave no 200 within 120 s');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, articles: { type: 'string' }, runs: { type: 'string', default: '3' } },
});
const articles = Number(values.articles ?? (values.quick ? 1000 : 10_000));
const directory = mkdtempSync(path.join(os.tmpdir(), 'newsgraph-startup-'));
try {
  await build();
  await generateCorpus({ directory, articles, seed: 1 });
  const runs = [];
  for (let run = 0; run < Number(values.runs); run++) runs.push(await measureStart(directory));
  const firstAnswer = median(runs.map((run) => run.firstAnswerMs));
  const first200 = median(runs.map((run) => run.first200Ms));
  console.log(
    `start-up at ${articles} articles (median of ${runs.length}): first answer ${Math.round(firstAnswer)} ms, first 200 ${Math.round(first200)} ms`,
  );
  console.log(
    `  target first 200 <= 1000 ms at 10000 articles: ${(first200 / 1000).toFixed(2)}x the target ${first200 <= 1000 ? 'PASS' : 'FAIL'}${articles === 10_000 ? '' : ' (indicative: other size)'}`,
  );
  console.log(`BENCH_STARTUP_JSON ${JSON.stringify({ articles, runs, firstAnswerMs: firstAnswer, first200Ms: first200 })}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
