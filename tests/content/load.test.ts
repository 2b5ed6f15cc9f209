import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/content/load.js';
import type { Article } from '../../src/content/model.js';
import { CONTENT_DIR, PROJECT_ROOT, SAMPLE_CORPUS, SEED_CORPUS } from '../paths.js';

/** Reads front matter the plain way, independently of the loader, for cross-checks. */
function readIndependently(directory: string) {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.md'))
    .map((name) => {
      const text = readFileSync(path.join(directory, name), 'utf8');
      const data = yaml.load(text.split(/^---$/m)[1]!) as {
        webUrl: string;
        ampWebUrl?: string;
        published?: boolean;
        related?: { webUrl: string; ampWebUrl?: string }[];
      };
      return { name, data };
    });
}

describe('loading the seed', () => {
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
    expect(corpus.preview.providerByDomain('jpost.com')).toMatchObject({ name: 'The Jerusalem Post Blogs', articles: [] });
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

describe('loading the real sample', () => {
  const files = readIndependently(SAMPLE_CORPUS);

  it('should load every file with no error-level diagnostic', async () => {
    const { corpus, fileCount } = await loadCorpus(SAMPLE_CORPUS);
    expect(fileCount).toBe(files.length);
    expect(corpus.preview.articles).toHaveLength(files.length);
    expect(corpus.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  });

  it('should count published articles and related entries as an independent reading does', async () => {
    const { corpus } = await loadCorpus(SAMPLE_CORPUS);
    const published = files.filter((file) => file.data.published !== false);
    const relatedEntries = files.reduce((sum, file) => sum + (file.data.related?.length ?? 0), 0);
    expect(corpus.public.stats.articles).toBe(published.length);
    expect(corpus.preview.stats.drafts).toBe(files.length - published.length);
    expect(corpus.preview.stats.relatedEntries).toBe(relatedEntries);
  });

  it('should resolve every related entry whose webUrl is another file webUrl, and those matching by AMP URL', async () => {
    const { corpus } = await loadCorpus(SAMPLE_CORPUS);
    const webUrls = new Map<string, string[]>();
    for (const file of files) webUrls.set(file.data.webUrl, [...(webUrls.get(file.data.webUrl) ?? []), file.name]);
    const bySource = new Map(corpus.preview.articles.map((article) => [article.sourcePath, article]));

    let exactMatches = 0;
    let ampMatches = 0;
    for (const file of files) {
      const article = bySource.get(file.name)!;
      const targets = corpus.preview.articlesByRelatedEntries(article.related);
      (file.data.related ?? []).forEach((entry, index) => {
        const exact = (webUrls.get(entry.webUrl) ?? []).filter((name) => name !== file.name);
        const target = targets[index] ?? null;
        if (exact.length > 0) {
          exactMatches++;
          expect(exact).toContain(target?.sourcePath);
        } else if (target !== null) {
          ampMatches++;
          const targetFile = files.find((candidate) => candidate.name === target.sourcePath)!;
          expect(entry.ampWebUrl).toBe(targetFile.data.ampWebUrl);
        }
      });
    }
    expect(exactMatches).toBe(350);
    expect(ampMatches).toBe(2);
    expect(corpus.preview.stats.relatedResolved).toBe(exactMatches + ampMatches);
  });

  it('should print the same counts from the check-content command', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'src/cli/check-content.ts', SAMPLE_CORPUS], { cwd: process.cwd() });
    const summary = Object.fromEntries(
      stdout
        .split('\n')
        .filter((line) => /^[a-z ]+: /.test(line))
        .map((line) => line.split(': ')),
    );
    const published = files.filter((file) => file.data.published !== false).length;
    expect(summary).toMatchObject({
      files: String(files.length),
      articles: String(files.length),
      published: String(published),
      drafts: String(files.length - published),
      'related entries': String(files.reduce((sum, file) => sum + (file.data.related?.length ?? 0), 0)),
      'related resolved': '352',
      errors: '0',
    });
  });
});

describe('the check-content command', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/check-content.ts', ...args], {
      cwd: PROJECT_ROOT,
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
    );

  it('should exit 0 for the sample content under --strict: it has no diagnostic', async () => {
    const { code, stdout } = await run(CONTENT_DIR, '--strict');
    expect(code).toBe(0);
    expect(stdout).toContain('errors: 0\nwarnings: 0\n');
  });

  it('should exit 1 under --strict when there are warnings, listing each as path: field: message', async () => {
    const { code, stdout } = await run(SAMPLE_CORPUS, '--strict');
    expect(code).toBe(1);
    expect(stdout).toContain(
      '2017-02-11-saffron-technology-how-intels-cognitive-computing-acquisition-thrives-on-chaos.md: provider.images[0].url: warning: expected an absolute http(s) URL, found the relative URL "/assets/images/organizations/techrepublic.com-50x50.jpg"',
    );
    expect((await run(SAMPLE_CORPUS)).code).toBe(0);
    expect((await run(SAMPLE_CORPUS, '--strict', '--site-url', 'https://everyday-cc.github.io/ai')).code).toBe(0);
  });

  it('should exit 1 when the directory cannot be read', async () => {
    const { code, stdout } = await run(path.join(PROJECT_ROOT, 'no-such-directory'));
    expect(code).toBe(1);
    expect(stdout).toContain('cannot read the content directory');
  });
});

describe('the public view of a corpus with drafts', () => {
  it('should hold no draft on any path', async () => {
    const { corpus } = await loadCorpus(SAMPLE_CORPUS);
    const view = corpus.public;
    const drafts = new Set(corpus.preview.articles.filter((article) => !article.published));
    expect(drafts.size).toBeGreaterThan(0);
    const isDraft = (article: Article | null) => article !== null && drafts.has(article);

    expect(view.articles.some(isDraft)).toBe(false);
    for (const article of view.articles) {
      expect(view.articlesByRelatedEntries(article.related).some(isDraft)).toBe(false);
      expect(view.relatedFrom(article).some(isDraft)).toBe(false);
    }
    for (const draft of drafts) {
      expect(view.articleBySlug(draft.slug)).toBeUndefined();
      if (draft.webUrl) expect(view.articleByUrl(draft.webUrl)?.published ?? true).toBe(true);
      expect(view.articlesBySlugs([draft.slug])).toEqual([null]);
    }
    for (const provider of view.providers) expect(provider.articles.some(isDraft)).toBe(false);
    for (const topic of view.topics) expect(topic.articles.some(isDraft)).toBe(false);
  });

  it('should derive no provider or topic from drafts alone', async () => {
    const { corpus } = await loadCorpus(SAMPLE_CORPUS);
    const publicArticles = corpus.public.articles;
    const publicDomains = new Set<string>();
    for (const article of publicArticles) {
      if (article.provider) publicDomains.add(article.provider.domain);
      for (const entry of article.related) if (entry.provider) publicDomains.add(entry.provider.domain);
    }
    expect(new Set(corpus.public.providers.map((provider) => provider.domain))).toEqual(publicDomains);
    expect(corpus.preview.providers.length).toBeGreaterThan(publicDomains.size);
    const publicTopics = new Set(publicArticles.flatMap((article) => article.topics.map((topic) => topic.slug)));
    expect(new Set(corpus.public.topics.map((topic) => topic.slug))).toEqual(publicTopics);
    expect(corpus.public.topics.reduce((sum, topic) => sum + topic.articles.length, 0)).toBe(
      publicArticles.reduce((sum, article) => sum + article.topics.length, 0),
    );
  });

  it('should resolve related entries inside the preview view and reverse them into relatedFrom', async () => {
    const { corpus } = await loadCorpus(SAMPLE_CORPUS);
    const view = corpus.preview;
    let reverseEdges = 0;
    for (const article of view.articles) {
      for (const source of view.relatedFrom(article)) {
        reverseEdges++;
        expect(view.articlesByRelatedEntries(source.related)).toContain(article);
        expect(source).not.toBe(article);
      }
    }
    // The sample's README counts 351 distinct directed file-to-file links by normalized URL; one of
    // them exists only because two files share a webUrl (the 2019-12-24/25 AutoML duplicates), and
    // an entry resolves to one article, the newest.
    expect(reverseEdges).toBe(350);
  });
});

describe('loading on worker threads', () => {
  /** Everything a load produces that the API serves, with each view's order. */
  function servedContent(result: Awaited<ReturnType<typeof loadCorpus>>) {
    const { corpus } = result;
    return {
      diagnostics: corpus.diagnostics,
      views: [corpus.public, corpus.preview].map((view) => ({
        articles: view.articles,
        providers: view.providers,
        topics: view.topics,
        stats: view.stats,
        maxima: view.maxima,
        related: view.articles.map((article) => view.articlesByRelatedEntries(article.related).map((target) => target?.slug ?? null)),
      })),
    };
  }

  it.each([
    ['the real sample', SAMPLE_CORPUS],
    ['content/', CONTENT_DIR],
  ])('should give exactly the corpus of a load on one thread, frozen the same way, for %s', async (_name, directory) => {
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
  });
});

describe('a URL shared by a draft and a published article', () => {
  it('should resolve to the newest article of each view: the draft in preview, the published one in public', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'newsgraph-shared-url-'));
    try {
      const file = (name: string, fields: string) => writeFileSync(path.join(directory, `${name}.md`), `---\n${fields}\n---\n`);
      file('a-draft', 'title: Draft\npublished: false\npublishedDateTime: 2024-03-03T00:00:00Z\nwebUrl: https://news.example/story');
      file('b-published', 'title: Published\npublishedDateTime: 2024-03-01T00:00:00Z\nwebUrl: https://www.news.example/story/');
      file(
        'c-draft-only',
        'title: Only a draft\npublished: false\npublishedDateTime: 2024-03-02T00:00:00Z\nwebUrl: https://news.example/other',
      );
      file(
        'd-source',
        'title: Source\npublishedDateTime: 2024-02-01T00:00:00Z\nwebUrl: https://news.example/source\nrelated:\n' +
          '  - title: Story\n    webUrl: http://news.example/story\n  - title: Other\n    webUrl: https://news.example/other',
      );
      const { corpus } = await loadCorpus(directory);
      const slugs = (articles: readonly (Article | null | undefined)[]) => articles.map((article) => article?.slug ?? null);
      const source = corpus.preview.articleBySlug('d-source')!;

      expect(
        slugs([corpus.preview.articleByUrl('https://news.example/story'), corpus.public.articleByUrl('https://news.example/story')]),
      ).toEqual(['a-draft', 'b-published']);
      expect(slugs([corpus.public.articleByUrl('https://news.example/other')])).toEqual([null]);
      expect(slugs(corpus.preview.articlesByRelatedEntries(source.related))).toEqual(['a-draft', 'c-draft-only']);
      expect(slugs(corpus.public.articlesByRelatedEntries(source.related))).toEqual(['b-published', null]);
      expect(slugs(corpus.public.relatedFrom(corpus.public.articleBySlug('b-published')!))).toEqual(['d-source']);
      expect(slugs(corpus.preview.relatedFrom(corpus.preview.articleBySlug('b-published')!))).toEqual([]);
      expect([corpus.public.stats.relatedResolved, corpus.preview.stats.relatedResolved]).toEqual([1, 2]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
