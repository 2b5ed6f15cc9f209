import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/generate.js';
import { runHttpBenchmark } from '../../bench/http.js';
import { runCacheBenchmark } from '../../bench/http-cache.js';
import { loadCorpus } from '../../src/content/load.js';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/**
 * The correctness checks of `npm run bench -- --quick`, without its timings: the generated corpus
 * loads as generated, and every benchmarked server answers every benchmark query with the data
 * graphql-js computes.
 */
describe('the quick benchmark, correctness only', () => {
  it('should load a generated 1k corpus with every file, every resolvable related entry and no error', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'newsgraph-quick-bench-'));
    directories.push(directory);
    const generated = await generateCorpus({ directory, articles: 1000, seed: 1 });
    const { corpus, fileCount } = await loadCorpus(directory);
    expect(fileCount).toBe(generated.files);
    expect(corpus.preview.stats.articles).toBe(generated.files);
    expect(corpus.preview.stats.relatedEntries).toBe(generated.relatedEntries);
    expect(corpus.preview.stats.relatedResolved).toBe(generated.relatedResolvable);
    expect(corpus.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  });

  it('should get the expected data from ours, mercurius + graphql-jit, Apollo Server and the ceiling for every query', async () => {
    const lines: string[] = [];
    const result = await runHttpBenchmark({ articles: 1000, correctnessOnly: true, log: (line) => lines.push(line) });
    expect(lines.some((line) => line.includes('correctness: every server answers every query body with the expected data'))).toBe(true);
    expect(result.corpus.articles).toBe(1000);
    expect(Object.keys(result.rssAtStartMB).sort()).toEqual(['apollo', 'ceiling', 'mercurius', 'ours', 'ours-heap']);
  }, 180_000);

  it('should get the hot list from every caching scenario: a hit, a 304, a request seen once, the cache off, mercurius and the ceiling', async () => {
    const lines: string[] = [];
    const options = {
      articles: 1000,
      seed: 1,
      warmupSeconds: 0,
      durationSeconds: 0,
      repetitions: 0,
      connections: 1,
      sampleIntervalMs: 250,
    };
    const result = await runCacheBenchmark({ ...options, correctnessOnly: true }, (line) => lines.push(line));
    expect(lines).toContain('correctness: every scenario answers the hot list with the expected data; the ETag revalidates to 304');
    expect(result.corpus.articles).toBe(1000);
  }, 180_000);
});
