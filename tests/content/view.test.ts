import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Corpus } from '../../src/content/corpus.js';
import { indexArticles } from '../../src/content/corpus.js';
import { loadCorpus } from '../../src/content/load.js';
import type { Article } from '../../src/content/model.js';
import { CorpusView } from '../../src/content/view.js';
import {
  createTempCorpus,
  FIXTURES,
  newestFirst,
  readRawArticles,
  readRawFiles,
  recordOf,
  requireSharedCorpus,
  SAMPLE_CORPUS,
} from '../support.js';

const sharedCorpus = requireSharedCorpus();

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
    const records = (view: CorpusView) => view.providers.map((provider) => ({ ...provider, articles: slugs(provider.articles.toArray()) }));
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
    const records = (view: CorpusView) => view.topics.map((topic) => ({ ...topic, articles: slugs(topic.articles.toArray()) }));
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

/** tests/fixtures/near-urls: source.md's related entries, exact, near, ambiguous in preview only, or external. */
const NEAR_FIXTURE = path.join(FIXTURES, 'near-urls');

describe('related entries that nearly match an article URL', () => {
  let near: Corpus;
  beforeAll(async () => {
    const loaded = await loadCorpus(NEAR_FIXTURE);
    expect(loaded.corpus.diagnostics).toEqual([]);
    near = loaded.corpus;
  });

  it('should resolve an entry whose URL with a query matches no article to the one article with that URL without it', () => {
    const source = near.public.articleBySlug('source')!;
    expect(source.related.map((entry) => entry.title)).toEqual([
      'Story one, entity-damaged query',
      'Story one, exact AMP URL',
      'Twin, another query',
      'Elsewhere, no query',
      'Exact wins over near',
      'Near nothing',
      'Itself, near',
      'Tracking parameters only',
    ]);
    // Publicly twin-a is the only article at news.example/twin; the draft twin-b makes it ambiguous in preview.
    expect(slugs(near.public.articlesByRelatedEntries(source.related))).toEqual([
      'target',
      'target',
      'twin-a',
      null,
      'exact',
      null,
      null,
      null,
    ]);
    expect(slugs(near.preview.articlesByRelatedEntries(source.related))).toEqual([
      'target',
      'target',
      null,
      null,
      'exact',
      null,
      null,
      null,
    ]);
  });

  it('should list near links in relatedFrom once per source, and count them in relatedResolved, in each view', () => {
    const from = (corpus: Corpus, kind: 'public' | 'preview', slug: string) =>
      slugs(corpus[kind].relatedFrom(corpus[kind].articleBySlug(slug)!));
    expect(from(near, 'public', 'target')).toEqual(['source']);
    expect(from(near, 'public', 'twin-a')).toEqual(['source']);
    expect(from(near, 'preview', 'twin-a')).toEqual([]);
    expect(from(near, 'preview', 'twin-b')).toEqual([]);
    expect(from(near, 'public', 'exact-near')).toEqual([]);
    expect([near.public.stats.relatedResolved, near.preview.stats.relatedResolved]).toEqual([4, 3]);
  });

  it('should leave exact lookups by URL alone: a near URL finds no article', () => {
    expect(near.public.articleByUrl('https://news.example/story-one?amp;amp;amp')).toBeUndefined();
    expect(near.public.articleByUrl('https://news.example/story-one?amp=1')?.slug).toBe('target');
  });
});

/** The URL identity rules of docs/content.md, written again for the test: the key of one URL, or null. */
const TRACKING = /^(?:utm_.*|ocid|ncid|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|cmpid)$/i;
function independentKey(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim().replaceAll('&amp;', '&').replaceAll('&#038;', '&'));
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const parameters = [...url.searchParams].filter(([name]) => !TRACKING.test(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = parameters.length === 0 ? '' : `?${new URLSearchParams(parameters)}`;
  return `${url.hostname.replace(/^www\./, '')}${url.port ? `:${url.port}` : ''}${url.pathname.replace(/\/+$/, '')}${query}`;
}

describe.skipIf(!sharedCorpus)('near matches in the real sample', () => {
  /** Each view's related targets, resolved from the raw files by the rules of docs/content.md; `near` marks near matches. */
  function expectedTargets(kind: 'public' | 'preview') {
    const articles = readRawArticles(SAMPLE_CORPUS).filter((article) => kind === 'preview' || article.published);
    const order = new Map(newestFirst(articles).map((article, position) => [article.slug, position]));
    const files = readRawFiles(SAMPLE_CORPUS).filter((file) => order.has(file.slug));
    const keysOf = new Map(
      files.map((file) => [
        file.slug,
        ['webUrl', 'originalUrl', 'ampWebUrl', 'cdnAmpWebUrl']
          .map((field) => independentKey(file.data[field]))
          .filter((key) => key !== null),
      ]),
    );
    const withoutQuery = (key: string) => key.split('?')[0]!;
    const targets = new Map<string, { target: string | null; near: boolean }[]>();
    for (const file of files) {
      const list = ((file.data.related ?? []) as Record<string, unknown>[]).map((entry) => {
        const keys = [entry.webUrl, entry.ampWebUrl, entry.cdnAmpWebUrl].map(independentKey).filter((key) => key !== null);
        let matchesItself = false;
        for (const key of keys) {
          const owners = files.filter((other) => keysOf.get(other.slug)!.includes(key)).map((other) => other.slug);
          if (owners.length === 0) continue;
          const newest = owners.sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
          if (newest !== file.slug) return { target: newest, near: false };
          matchesItself = true;
        }
        if (matchesItself) return { target: null, near: false };
        const nearOwners = new Set<string>();
        for (const key of keys.filter((candidate) => candidate.includes('?'))) {
          for (const other of files) {
            if (keysOf.get(other.slug)!.some((own) => withoutQuery(own) === withoutQuery(key))) nearOwners.add(other.slug);
          }
        }
        const [only] = nearOwners;
        return nearOwners.size === 1 && only !== file.slug ? { target: only!, near: true } : { target: null, near: false };
      });
      targets.set(file.slug, list);
    }
    return targets;
  }

  it.each(['public', 'preview'] as const)(
    'should resolve in the %s view exactly the entries the URL identity rules resolve',
    async (kind) => {
      const { corpus } = await loadCorpus(SAMPLE_CORPUS);
      const view = corpus[kind];
      const expected = expectedTargets(kind);
      const served = new Map(view.articles.map((article) => [article.slug, slugs(view.articlesByRelatedEntries(article.related))]));
      expect(served).toEqual(new Map([...expected].map(([slug, list]) => [slug, list.map((item) => item.target)])));
      const resolved = [...expected.values()].flat().filter((item) => item.target !== null).length;
      expect(view.stats.relatedResolved).toBe(resolved);
    },
  );

  it('should find the near matches of the sample: a `?amp` variant of a draft URL with a damaged query, in preview only', () => {
    const near = (kind: 'public' | 'preview') =>
      [...expectedTargets(kind)].flatMap(([slug, list]) =>
        list.flatMap((item, index) => (item.near ? [{ source: slug, index, target: item.target }] : [])),
      );
    const files = readRawFiles(SAMPLE_CORPUS);
    const source = '2022-06-12-google-engineer-on-leave-after-he-claims-ai-program-has-gone-sentient';
    const entryIndex = (files.find((file) => file.slug === source)!.data.related as { webUrl?: string }[]).findIndex(
      (entry) => entry.webUrl === 'https://www.theguardian.com/technology/2022/jun/12/google-engineer-ai-bot-sentient-blake-lemoine?amp',
    );
    expect(entryIndex).toBeGreaterThanOrEqual(0);
    expect(near('preview')).toEqual([
      { source, index: entryIndex, target: '2022-06-12-google-engineer-put-on-leave-after-saying-ai-chatbot-has-become-sentient' },
    ]);
    expect(near('public')).toEqual([]);
  });
});
