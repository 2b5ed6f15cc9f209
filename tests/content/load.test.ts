import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadProgress, type LoadResult, loadCorpus } from '../../src/content/load.js';
import { CorpusTooLargeError } from '../../src/content/memory.js';
import type { Diagnostic } from '../../src/content/model.js';
import {
  CONTENT_DIR,
  createTempCorpus,
  EXECUTABLE_FIXTURES,
  globals,
  HOSTILE_FIXTURES,
  hostileCorpus,
  readRawArticles,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  SEED_CORPUS,
  servedContent,
} from '../support.js';

const sharedCorpus = requireSharedCorpus();

function diagnosticsOf(result: LoadResult, file: string): Diagnostic[] {
  return result.corpus.diagnostics.filter((diagnostic) => diagnostic.file === file);
}

describe.skipIf(!sharedCorpus)('loading the seed', () => {
  it('should normalize the founding example exactly', async () => {
    const { corpus, fileCount } = await loadCorpus(SEED_CORPUS);
    expect(fileCount).toBe(1);
    expect(corpus.diagnostics).toEqual([]);
    const article = corpus.preview.articles[0]!;
    expect(article.excerpt).toBe(
      'A piece of software is able to generate detailed images from just a short, worded prompt… but it comes with obvious issues.',
    );
    expect(article.excerpt!.endsWith('from just a short, worded prompt… but it comes with obvious issues.')).toBe(true);
    expect(article.provider).toEqual({ name: 'BBC Focus', domain: 'sciencefocus.com', images: [] });
    expect(article.topics).toEqual([{ name: 'AI', slug: 'ai' }]);
    expect(article.images.map(({ width, height }) => [width, height])).toEqual([[960, 413]]);
    expect(article.publishedDateTime).toBe(Date.parse('2022-05-06T08:25:00Z'));
    expect(article.heat).toBeNull();
    expect(article.quality).toBe(57);
    expect(article.published).toBe(false);
    expect(article.secured).toMatch(/^\+VK0IeZMTJxaXDJo.*==$/);
  });

  it('should keep the related entry external, with its provider', async () => {
    const { corpus } = await loadCorpus(SEED_CORPUS);
    const article = corpus.preview.articles[0]!;
    expect(article.related).toHaveLength(1);
    const [entry] = article.related;
    expect(entry!.provider).toEqual({ name: 'The Jerusalem Post Blogs', domain: 'jpost.com', images: [] });
    expect(corpus.preview.articlesByRelatedEntries(article.related)).toEqual([null]);
    expect(corpus.preview.providerByDomain('jpost.com')).toMatchObject({ name: 'The Jerusalem Post Blogs' });
    expect(corpus.preview.providerByDomain('jpost.com')?.articles.length).toBe(0);
  });

  it('should put the draft in the preview view only, and its secret nowhere public', async () => {
    const { corpus } = await loadCorpus(SEED_CORPUS);
    expect(corpus.preview.articles).toHaveLength(1);
    expect(corpus.public.articles).toEqual([]);
    expect(corpus.public.providers).toEqual([]);
    expect(corpus.public.topics).toEqual([]);
    const secret = corpus.preview.articles[0]!.secured!;
    const publicData = JSON.stringify({
      articles: corpus.public.articles,
      providers: corpus.public.providers,
      topics: corpus.public.topics,
    });
    expect(publicData).not.toContain(secret.slice(0, 20));
    expect(JSON.stringify(corpus.diagnostics)).not.toContain(secret.slice(0, 20));
  });
});

describe.skipIf(!sharedCorpus)('loading the real sample', () => {
  const files = sharedCorpus ? readRawArticles(SAMPLE_CORPUS) : [];

  it('should load every file with no error-level diagnostic', async () => {
    const { corpus, fileCount } = await loadCorpus(SAMPLE_CORPUS);
    expect(fileCount).toBe(files.length);
    expect(corpus.preview.articles).toHaveLength(files.length);
    expect(corpus.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  });

  it('should count published articles and related entries as an independent reading does', async () => {
    const { corpus } = await loadCorpus(SAMPLE_CORPUS);
    const published = files.filter((file) => file.published);
    const relatedEntries = files.reduce((sum, file) => sum + file.related.length, 0);
    expect(corpus.public.stats.articles).toBe(published.length);
    expect(corpus.preview.stats.drafts).toBe(files.length - published.length);
    expect(corpus.preview.stats.relatedEntries).toBe(relatedEntries);
  });

  it('should resolve every related entry whose webUrl is another file webUrl, those matching by AMP URL, and near ones', async () => {
    const { corpus } = await loadCorpus(SAMPLE_CORPUS);
    const webUrls = new Map<string | null, string[]>();
    for (const file of files) webUrls.set(file.webUrl, [...(webUrls.get(file.webUrl) ?? []), file.file]);
    const bySource = new Map(corpus.preview.articles.map((article) => [article.sourcePath, article]));

    let exactMatches = 0;
    let ampMatches = 0;
    let nearMatches = 0;
    /** A URL without its query, `www.` and a trailing slash. */
    const bare = (url: string | null) => (url === null ? null : url.replace(/\?.*$/, '').replace('://www.', '://').replace(/\/$/, ''));
    for (const file of files) {
      const article = bySource.get(file.file)!;
      const targets = corpus.preview.articlesByRelatedEntries(article.related);
      file.related.forEach((entry, index) => {
        const exact = (webUrls.get(entry.webUrl) ?? []).filter((name) => name !== file.file);
        const target = targets[index] ?? null;
        if (exact.length > 0) {
          exactMatches++;
          expect(exact).toContain(target?.sourcePath);
        } else if (target !== null) {
          const targetFile = files.find((candidate) => candidate.file === target.sourcePath)!;
          if (entry.ampWebUrl !== null && entry.ampWebUrl === targetFile.ampWebUrl) {
            ampMatches++;
          } else {
            // A near match: the entry's webUrl has a query, and without it is the target's webUrl without its own.
            nearMatches++;
            expect(entry.webUrl).toContain('?');
            expect(bare(entry.webUrl)).toBe(bare(targetFile.webUrl));
          }
        }
      });
    }
    expect(exactMatches).toBe(350);
    expect(ampMatches).toBe(2);
    expect(nearMatches).toBe(1);
    expect(corpus.preview.stats.relatedResolved).toBe(exactMatches + ampMatches + nearMatches);
  });
});

describe('loading on worker threads', () => {
  /** A load on worker threads gives exactly the corpus of a load on one thread, frozen the same way. */
  async function expectSameAsOneThread(directory: string) {
    const inline = await loadCorpus(directory, { threads: 1 });
    // Small batches, so each worker hands its results over in several messages.
    const parallel = await loadCorpus(directory, { threads: 3, workerBatchFiles: 4 });
    expect(inline.timings.threads).toBe(1);
    expect(parallel.timings).toMatchObject({ threads: 3, workers: 3 });
    expect(servedContent(parallel)).toEqual(servedContent(inline));
    const article = parallel.corpus.preview.articles.find((candidate) => candidate.related.length > 0 && candidate.provider !== null)!;
    for (const record of [article, article.related, article.related[0], article.provider, article.topics, article.images]) {
      expect(Object.isFrozen(record)).toBe(true);
    }
  }

  it.skipIf(!sharedCorpus)('should give exactly the corpus of a load on one thread, frozen the same way, for the real sample', async () => {
    await expectSameAsOneThread(SAMPLE_CORPUS);
  });

  it('should give exactly the corpus of a load on one thread, frozen the same way, for content/', async () => {
    await expectSameAsOneThread(CONTENT_DIR);
  });
});

describe('slug collisions', () => {
  it('should keep the file whose path sorts first and report each other one by name', async () => {
    const directory = createTempCorpus({
      'b/story.md': '---\ntitle: "Second"\n---\n',
      'a/story.md': '---\ntitle: "First"\n---\n',
      'c/story.markdown': '---\ntitle: "Third"\n---\n',
    });
    const { corpus } = await loadCorpus(directory);
    expect(corpus.preview.articles.map((article) => [article.slug, article.sourcePath])).toEqual([['story', 'a/story.md']]);
    expect(corpus.diagnostics).toEqual([
      {
        file: 'b/story.md',
        field: null,
        severity: 'error',
        message: 'the slug "story" is already taken by a/story.md (the path that sorts first wins); rename one of the files',
      },
      {
        file: 'c/story.markdown',
        field: null,
        severity: 'error',
        message: 'the slug "story" is already taken by a/story.md (the path that sorts first wins); rename one of the files',
      },
    ]);
  });
});

describe('progress and memory', () => {
  const files = Object.fromEntries(Array.from({ length: 600 }, (_, index) => [`a${index}.md`, `---\ntitle: "Article ${index}"\n---\n`]));

  it.each([
    ['on the calling thread', { threads: 1 }],
    ['on worker threads', { threads: 2, workerBatchFiles: 100 }],
  ])('should report progress %s, rising to every file', async (_where, threading) => {
    const directory = createTempCorpus(files, 'newsgraph-progress-');
    const reports: LoadProgress[] = [];
    await loadCorpus(directory, { ...threading, onProgress: (progress) => reports.push(progress) });
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.every((report) => report.filesTotal === 600)).toBe(true);
    const done = reports.map((report) => report.filesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(threading.threads === 1 ? 511 : 600);
  });

  it('should say once, after the last progress report, that the indexes of every article are being built', async () => {
    const directory = createTempCorpus({ ...files, 'broken.md': '---\ntitle: [unclosed\n---\n' }, 'newsgraph-progress-');
    const events: string[] = [];
    await loadCorpus(directory, {
      threads: 2,
      workerBatchFiles: 100,
      onProgress: (progress) => events.push(`progress ${progress.filesDone}`),
      onIndexing: (articles) => events.push(`indexing ${articles}`),
    });
    expect(events.filter((event) => event.startsWith('indexing'))).toEqual(['indexing 600']);
    expect(events.at(-1)).toBe('indexing 600');
    expect(events.at(-2)).toBe('progress 601');
  });

  it('should refuse a corpus that does not fit the memory limits before parsing, with the line that says what to do', async () => {
    const directory = createTempCorpus(files, 'newsgraph-memory-');
    const load = loadCorpus(directory, {
      memoryLimits: { heapLimitBytes: 32 * 1024 * 1024, availableBytes: 8 * 1024 ** 3, heapLimitIsExplicit: false },
    });
    await expect(load).rejects.toThrow(CorpusTooLargeError);
    await expect(load).rejects.toThrow(
      /^the content has 600 files \(\d+ KB\); serving them needs about 66 MB of heap, but the heap limit is 32 MB, the machine has 8.0 GB available: start with NODE_OPTIONS=--max-old-space-size=100, or serve fewer files$/,
    );
  });
});

describe('one bad file never stops the others', () => {
  /** Fixtures that are refused outright (error, no article). */
  const REFUSED = [
    'alias-bomb.md',
    'binary.bin.md',
    'bom-js-front-matter.md',
    'empty.md',
    'javascript-front-matter.md',
    'js-front-matter.md',
    'json-front-matter.md',
    'latin1.md',
    'no-front-matter.md',
    'self-alias.md',
    'unclosed.md',
    'uppercase-js-front-matter.md',
  ];
  /** Fixtures that load with warnings. */
  const WARNED = [
    'invalid-fields.md',
    'lone-string-topics.md',
    'published-no.md',
    'published-off.md',
    'published-string-false.md',
    'published-zero.md',
  ];
  /** Fixtures that load cleanly. */
  const CLEAN = ['crlf-bom.md', 'proto-keys.md'];

  it('should list every committed fixture in exactly one group, each under 2 KB', () => {
    const committed = readdirSync(HOSTILE_FIXTURES).sort();
    expect(committed).toEqual([...REFUSED, ...WARNED, ...CLEAN].sort());
    for (const name of committed) expect(statSync(path.join(HOSTILE_FIXTURES, name)).size).toBeLessThan(2048);
  });

  it('should load a good file next to every hostile fixture and name each bad file by its relative path', async () => {
    const content = hostileCorpus(readdirSync(HOSTILE_FIXTURES), 'hostile');
    writeFileSync(
      path.join(content, 'good.md'),
      '---\ntitle: A good article\nwebUrl: https://example.com/good\ntopics: [AI]\n---\nStill here.\n',
    );

    const result = await loadCorpus(content);
    const { corpus } = result;

    const good = corpus.public.articleBySlug('good');
    expect(good?.title).toBe('A good article');
    expect(good?.webUrl).toBe('https://example.com/good');
    expect(diagnosticsOf(result, 'good.md')).toEqual([]);

    const named = [...new Set(corpus.diagnostics.map((diagnostic) => diagnostic.file))].sort();
    expect(named).toEqual([...REFUSED, ...WARNED].map((name) => `hostile/${name}`).sort());
    for (const name of REFUSED) {
      expect(diagnosticsOf(result, `hostile/${name}`)).toEqual([
        { file: `hostile/${name}`, field: null, severity: 'error', message: expect.any(String) },
      ]);
    }
    for (const name of WARNED) {
      const diagnostics = diagnosticsOf(result, `hostile/${name}`);
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(diagnostics.every((diagnostic) => diagnostic.severity === 'warning')).toBe(true);
    }

    const slugs = corpus.preview.articles.map((article) => article.slug).sort();
    expect(slugs).toEqual(['good', ...[...WARNED, ...CLEAN].map((name) => name.replace(/\.md$/, ''))].sort());
    expect(corpus.public.articles.map((article) => article.slug).sort()).toEqual([
      'crlf-bom',
      'good',
      'invalid-fields',
      'lone-string-topics',
    ]);
    expect(result.fileCount).toBe(REFUSED.length + WARNED.length + CLEAN.length + 1);

    for (const { global } of EXECUTABLE_FIXTURES) expect(globals[global]).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
