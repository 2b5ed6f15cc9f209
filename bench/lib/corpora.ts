/**
 * Generated corpora kept between runs, where bench/store-layouts.ts and bench/search-engines.ts
 * keep theirs: `<corpora>/articles-N` (bench/generate.ts) beside an `articles-N.json` marker that
 * records the article count, the seed and what was written. A corpus whose marker matches is
 * reused; any other is generated again.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateCorpus } from '../generate.js';

/** The default folder of cached corpora: $TMPDIR/newsgraph-store-layouts. */
export const DEFAULT_CORPORA_DIR = path.join(os.tmpdir(), 'newsgraph-store-layouts');

/** The cached corpus of `size` articles and `seed` under `corpora`, generated on first use: its folder and its marker's text. */
export async function cachedCorpus(
  corpora: string,
  size: number,
  seed: number,
  log: (message: string) => void = () => {},
): Promise<{ directory: string; markerText: string }> {
  const directory = path.join(corpora, `articles-${size}`);
  const marker = `${directory}.json`;
  if (existsSync(marker) && existsSync(directory)) {
    const markerText = readFileSync(marker, 'utf8');
    const generated = JSON.parse(markerText) as { articles: number; seed: number };
    if (generated.articles === size && generated.seed === seed) return { directory, markerText };
  }
  rmSync(directory, { recursive: true, force: true });
  rmSync(marker, { force: true });
  mkdirSync(corpora, { recursive: true });
  log(`  generating ${size} articles into ${directory} ...`);
  const started = performance.now();
  const generated = await generateCorpus({ directory, articles: size, seed });
  const markerText = JSON.stringify({ articles: size, seed, ...generated });
  writeFileSync(marker, markerText);
  log(`  generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { directory, markerText };
}
