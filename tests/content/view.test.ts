import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Corpus } from '../../src/content/corpus.js';
import { indexArticles } from '../../src/content/corpus.js';
import { loadCorpus } from '../../src/content/load.js';
import type { Article } from '../../src/content/model.js';
import { CorpusView } from '../../src/content/view.js';
import { createTempCorpus, FIXTURES, recordOf } from '../support.js';

/** Five articles (tests/fixtures/views): c is a draft, d is undated, a links to b, itself and an outside page. */
const VIEWS_FIXTURE = path.join(FIXTURES, 'views');

const slugs = (articles: readonly (Article | null | undefined)[]) => articles.map((article) => article?.slug ?? null);

let corpus: Corpus;
beforeAll(async () => {
  const loaded = await loadCorpus(VIEWS_FIXTURE);
  expect(loaded.corpus.diagnostics).toEqual([]);
  corpus = loaded.corpus;
});

describe('CorpusView lookups', () => {
  it('should find articles by slug, and answer a batch of slugs in order with null for a miss', () => {
    expect(corpus.preview.articleBySlug('c')?.title).toBe('Draft three');
    expect(corpus.public.articleBySlug('c')).toBeUndefined();
    expect(corpus.public.articleBySlug('nothing')).toBeUndefined();
    expect(slugs(corpus.public.articlesBySlugs(['d', 'c', 'a', 'nothing', 'a']))).toEqual(['d', null, 'a', null, 'a']);
  });

  it.each([
    ['https://www.alpha.example/one', 'a'],
    ['http://alpha.example/one/', 'a'],
    ['https://ALPHA.example/one?utm_source=x#top', 'a'],
    ['https://beta.example/two', 'b'],
    ['https://alpha.example/undated', 'd'],
  ])('should find the article reachable by %s', (url, slug) => {
    expect(corpus.public.articleByUrl(url)?.slug).toBe(slug);
  });

  it('should find a draft by its URL in the preview view only, and nothing for a URL that is no URL', () => {
    expect(corpus.preview.articleByUrl('https://alpha.example/draft')?.slug).toBe('c');
    expect(corpus.public.articleByUrl('https://alpha.example/draft')).toBeUndefined();
    expect(corpus.public.articleByUrl('not a url')).toBeUndefined();
    expect(corpus.public.articleByUrl('https://gamma.example/x')).toBeUndefined();
  });
});

describe('CorpusView providers and topics', () => {
  it('should derive provider records, most articles first, named by their most frequent spelling', () => {
    const records = (view: CorpusView) => view.providers.map((provider) => ({ ...provider, articles: slugs(provider.articles) }));
    expect(records(corpus.public)).toEqual([
      { kind: 'provider', domain: 'alpha.example', name: 'Alpha News', images: [], articles: ['a', 'd'] },
      { kind: 'provider', domain: 'beta.example', name: 'Beta Daily', images: [], articles: ['b'] },
      { kind: 'provider', domain: 'gamma.example', name: 'Gamma', images: [], articles: [] },
    ]);
    // The draft spells its provider "Alpha"; two articles say "Alpha News".
    expect(records(corpus.preview)[0]).toEqual({
      kind: 'provider',
      domain: 'alpha.example',
      name: 'Alpha News',
      images: [],
      articles: ['c', 'a', 'd'],
    });
    expect(corpus.public.providerByDomain('beta.example')).toBe(corpus.public.providers[1]);
    expect(corpus.public.providerByDomain('www.alpha.example')).toBeUndefined();
  });

  it('should derive topic records by slug, most articles first then by slug, named by their most frequent spelling', () => {
    const records = (view: CorpusView) => view.topics.map((topic) => ({ ...topic, articles: slugs(topic.articles) }));
    expect(records(corpus.public)).toEqual([
      { kind: 'topic', slug: 'ai', name: 'AI', articles: ['a', 'b', 'd'] },
      { kind: 'topic', slug: 'robotics', name: 'Robotics', articles: ['a'] },
    ]);
    expect(records(corpus.preview).map((topic) => topic.slug)).toEqual(['ai', 'robotics', 'secret-topic']);
    expect(corpus.preview.topicBySlug('secret-topic')?.name).toBe('Secret Topic');
    expect(corpus.public.topicBySlug('secret-topic')).toBeUndefined();
  });
});

describe('CorpusView related entries', () => {
  it('should resolve related entries within the view, never to their own article', () => {
    const a = corpus.public.articleBySlug('a')!;
    expect(slugs(corpus.public.articlesByRelatedEntries(a.related))).toEqual(['b', null, null]);
    expect(slugs(corpus.preview.articlesByRelatedEntries(corpus.preview.articleBySlug('c')!.related))).toEqual(['b']);
  });

  it('should list the articles linking to an article in relatedFrom, newest first, drafts in preview only', () => {
    expect(slugs(corpus.public.relatedFrom(corpus.public.articleBySlug('b')!))).toEqual(['a']);
    expect(slugs(corpus.preview.relatedFrom(corpus.preview.articleBySlug('b')!))).toEqual(['c', 'a']);
    expect(slugs(corpus.public.relatedFrom(corpus.public.articleBySlug('a')!))).toEqual(['b']);
    expect(slugs(corpus.public.relatedFrom(corpus.public.articleBySlug('e')!))).toEqual([]);
  });
});

describe('CorpusView stats and maxima', () => {
  it('should count articles, drafts, providers, topics and related entries of each view', () => {
    expect([corpus.public.kind, corpus.public.stats]).toEqual([
      'public',
      { articles: 4, drafts: 0, providers: 3, topics: 2, relatedEntries: 4, relatedResolved: 2 },
    ]);
    expect([corpus.preview.kind, corpus.preview.stats]).toEqual([
      'preview',
      { articles: 5, drafts: 1, providers: 3, topics: 3, relatedEntries: 5, relatedResolved: 3 },
    ]);
  });

  it('should measure the longest list of each kind', () => {
    expect(corpus.public.maxima).toEqual({ related: 3, topics: 2, images: 2, relatedImages: 0, providerImages: 0 });
  });

  it('should be frozen, as are its lists', () => {
    const view = CorpusView.build('public', indexArticles(corpus.public.articles.map(recordOf)));
    expect(Object.isFrozen(view)).toBe(true);
    expect([view.articles, view.providers, view.topics, view.stats, view.maxima].every(Object.isFrozen)).toBe(true);
    expect(view.stats).toEqual(corpus.public.stats);
  });
});

describe('a URL shared by a draft and a published article', () => {
  it('should resolve to the newest article of each view: the draft in preview, the published one in public', async () => {
    const front = (fields: string) => `---\n${fields}\n---\n`;
    const directory = createTempCorpus(
      {
        'a-draft.md': front('title: Draft\npublished: false\npublishedDateTime: 2024-03-03T00:00:00Z\nwebUrl: https://news.example/story'),
        'b-published.md': front('title: Published\npublishedDateTime: 2024-03-01T00:00:00Z\nwebUrl: https://www.news.example/story/'),
        'c-draft-only.md': front(
          'title: Only a draft\npublished: false\npublishedDateTime: 2024-03-02T00:00:00Z\nwebUrl: https://news.example/other',
        ),
        'd-source.md': front(
          'title: Source\npublishedDateTime: 2024-02-01T00:00:00Z\nwebUrl: https://news.example/source\nrelated:\n' +
            '  - title: Story\n    webUrl: http://news.example/story\n  - title: Other\n    webUrl: https://news.example/other',
        ),
      },
      'newsgraph-shared-url-',
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
  });
});
