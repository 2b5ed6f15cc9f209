/**
 * `npm run bench [-- --quick]`: the load, start-up and HTTP benchmarks, each printing its
 * figures and its ratios against the baselines measured in the same run. `--quick` uses the 1k
 * corpus and short runs (under two minutes in all); the full run takes about 15 minutes.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

for (const script of ['bench/load.ts', 'bench/startup.ts', 'bench/http.ts']) {
  process.stdout.write(`\n=== ${script}${quick ? ' --quick' : ''}\n`);
  const { status } = spawnSync(process.execPath, [tsx, script, ...(quick ? ['--quick'] : [])], { cwd: root, stdio: 'inherit' });
  if (status !== 0) {
    process.stderr.write(`${script} failed with exit code ${status}\n`);
    process.exit(status ?? 1);
  }
}
