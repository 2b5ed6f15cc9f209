import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCorpus, indexArticles } from '../../src/content/corpus.js';
import { loadCorpus } from '../../src/content/load.js';
import type { Article, Diagnostic } from '../../src/content/model.js';
import type { IndexedArticle } from '../../src/content/view.js';
import { FIXTURES, recordOf, requireSharedCorpus, SAMPLE_CORPUS } from '../support.js';

const sharedCorpus = requireSharedCorpus();

/** The articles of tests/fixtures/views (c is a draft, d undated), as the loader normalizes them. */
async function fixtureArticles(): Promise<IndexedArticle[]> {
  return indexArticles((await loadCorpus(path.join(FIXTURES, 'views'))).corpus.preview.articles.map(recordOf));
}

const slugs = (articles: readonly Article[]) => articles.map((article) => article.slug);

describe('createCorpus', () => {
  it('should sort each view newest first, undated last, whatever the order it is given', async () => {
    const articles = await fixtureArticles();
    const corpus = createCorpus([...articles].reverse(), []);
    expect(slugs(corpus.preview.articles)).toEqual(['c', 'a', 'b', 'e', 'd']);
    expect(slugs(corpus.public.articles)).toEqual(['a', 'b', 'e', 'd']);
  });

  it('should keep drafts out of the public view and in the preview view, with each view kind', async () => {
    const corpus = createCorpus(await fixtureArticles(), []);
    expect([corpus.public.kind, corpus.preview.kind]).toEqual(['public', 'preview']);
    expect(corpus.public.articles.every((article) => article.published)).toBe(true);
    expect(corpus.preview.articles.filter((article) => !article.published).map((article) => article.slug)).toEqual(['c']);
    expect(corpus.public.articleBySlug('c')).toBeUndefined();
    expect(corpus.preview.articleBySlug('c')?.published).toBe(false);
  });

  it('should keep a frozen copy of the diagnostics and freeze the corpus', async () => {
    const diagnostics: Diagnostic[] = [{ file: 'x.md', field: 'title', severity: 'warning', message: 'expected a title' }];
    const corpus = createCorpus(await fixtureArticles(), diagnostics);
    diagnostics.push({ file: 'y.md', field: null, severity: 'error', message: 'added later' });
    expect(corpus.diagnostics).toEqual([{ file: 'x.md', field: 'title', severity: 'warning', message: 'expected a title' }]);
    expect(Object.isFrozen(corpus.diagnostics)).toBe(true);
    expect(Object.isFrozen(corpus)).toBe(true);
  });

  it('should build an empty corpus from no articles', () => {
    const corpus = createCorpus([], []);
    expect([corpus.public.articles, corpus.preview.articles, corpus.public.providers, corpus.public.topics]).toEqual([[], [], [], []]);
    expect(corpus.preview.stats).toEqual({ articles: 0, drafts: 0, providers: 0, topics: 0, relatedEntries: 0, relatedResolved: 0 });
  });
});

describe.skipIf(!sharedCorpus)('the public view of a corpus with drafts', () => {
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
    for (const provider of view.providers) expect(provider.articles.toArray().some(isDraft)).toBe(false);
    for (const topic of view.topics) expect(topic.articles.toArray().some(isDraft)).toBe(false);
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
