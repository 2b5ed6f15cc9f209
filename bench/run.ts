/**
 * `npm run bench [-- --quick | --large]`: the load, start-up, HTTP, HTTP caching, live-content and query-power
 * (search, facets, similar, stories) benchmarks, each printing its figures and its ratios against
 * the baselines measured in the same run, then the soak test for 300 s (30 s with `--quick`).
 * `--quick` uses small corpora (1k; 10k for live content and query power) and short runs (about
 * five minutes in all); the full run takes about 50 minutes; `--large` adds 1M articles to the load
 * benchmark (3.3 GB of files, a large heap, the better part of an hour).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const large = process.argv.includes('--large');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

for (const script of [
  'bench/load.ts',
  'bench/startup.ts',
  'bench/http.ts',
  'bench/http-cache.ts',
  'bench/live.ts',
  'bench/query-power.ts',
]) {
  process.stdout.write(`\n=== ${script}${quick ? ' --quick' : large ? ' --large' : ''}\n`);
  const flags = quick ? ['--quick'] : large && script === 'bench/load.ts' ? ['--sizes', '1000,10000,100000,1000000'] : [];
  const { status } = spawnSync(process.execPath, [tsx, script, ...flags], { cwd: root, stdio: 'inherit' });
  if (status !== 0) {
    process.stderr.write(`${script} failed with exit code ${status}\n`);
    process.exit(status ?? 1);
  }
}

// The soak test of `npm test`, longer: HTTP load on the server process while its files churn.
const soakSeconds = quick ? 30 : 300;
process.stdout.write(`\n=== tests/main.soak.test.ts, ${soakSeconds} s measured\n`);
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const soak = spawnSync(process.execPath, [vitest, 'run', 'tests/main.soak.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SOAK_SECONDS: String(soakSeconds) },
});
if (soak.status !== 0) {
  process.stderr.write(`the soak failed with exit code ${soak.status}\n`);
  process.exit(soak.status ?? 1);
}
