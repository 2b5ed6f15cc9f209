import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import {
  CONTENT_DIR,
  execute,
  type GraphQLResponse,
  newestFirst,
  type RawArticle,
  readRawArticles,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  serverOf,
  sortRaw,
} from '../support.js';

const raw = readRawArticles(CONTENT_DIR);
const published = raw.filter((article) => article.published);
const slugs = (articles: RawArticle[]) => articles.map((article) => article.slug);

let yoga: NewsgraphServer;
beforeAll(async () => {
  yoga = await serverOf(CONTENT_DIR);
});

const PAGE = /* GraphQL */ `
  query Page($first: Int, $after: String, $last: Int, $before: String, $filter: ArticleFilter, $orderBy: ArticleOrder) {
    articles(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { slug } }
      nodes { slug }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

/** Pages forward with `first: size` until the end; returns the slugs in order and the page count. */
async function pageForward(variables: Record<string, unknown>, size: number, preview = false) {
  const visited: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const { body }: GraphQLResponse = await execute(yoga, PAGE, { ...variables, first: size, after }, { preview });
    expect(body.errors).toBeUndefined();
    const page: any = body.data.articles;
    pages++;
    visited.push(...page.nodes.map((node: { slug: string }) => node.slug));
    expect(page.edges.map((edge: any) => edge.node.slug)).toEqual(page.nodes.map((node: any) => node.slug));
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    if (!page.pageInfo.hasNextPage) return { visited, pages, totalCount: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

/** Pages backward with `last: size` from the end; returns the slugs in list order. */
async function pageBackward(variables: Record<string, unknown>, size: number) {
  const visited: string[] = [];
  let before: string | null = null;
  for (;;) {
    const { body }: GraphQLResponse = await execute(yoga, PAGE, { ...variables, last: size, before });
    expect(body.errors).toBeUndefined();
    const page: any = body.data.articles;
    visited.unshift(...page.nodes.map((node: { slug: string }) => node.slug));
    expect(page.pageInfo.hasNextPage).toBe(before !== null);
    if (!page.pageInfo.hasPreviousPage) return visited;
    before = page.pageInfo.startCursor;
  }
}

describe('articles', () => {
  it('should return the 20 newest published articles by default, with the total count', async () => {
    const { status, body } = await execute(yoga, PAGE);
    expect(status).toBe(200);
    expect(body.data.articles.totalCount).toBe(published.length);
    expect(body.data.articles.nodes.map((node: any) => node.slug)).toEqual(slugs(newestFirst(published)).slice(0, 20));
    expect(body.data.articles.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('should page forward across page boundaries, visiting each article once in order', async () => {
    const { visited, pages, totalCount } = await pageForward({}, 7);
    expect(visited).toEqual(slugs(newestFirst(published)));
    expect(pages).toBe(Math.ceil(published.length / 7));
    expect(totalCount).toBe(published.length);
  });

  it('should page backward across page boundaries, visiting each article once in order', async () => {
    expect(await pageBackward({}, 7)).toEqual(slugs(newestFirst(published)));
  });

  it('should resume after an edge cursor taken from the middle of a page', async () => {
    const first = await execute(yoga, PAGE, { first: 5 });
    const middle = first.body.data.articles.edges[2].cursor;
    const next = await execute(yoga, PAGE, { first: 4, after: middle });
    expect(next.body.data.articles.nodes.map((node: any) => node.slug)).toEqual(slugs(newestFirst(published)).slice(3, 7));
  });

  it('should bound a page by both after and before', async () => {
    const all = await execute(yoga, PAGE, { first: 10 });
    const edges = all.body.data.articles.edges;
    const { body } = await execute(yoga, PAGE, { first: 100, after: edges[1].cursor, before: edges[6].cursor });
    expect(body.data.articles.nodes.map((node: any) => node.slug)).toEqual(slugs(newestFirst(published)).slice(2, 6));
    expect(body.data.articles.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('should return an empty page for first: 0', async () => {
    const { body } = await execute(yoga, PAGE, { first: 0 });
    expect(body.data.articles).toMatchObject({
      totalCount: published.length,
      nodes: [],
      pageInfo: { startCursor: null, endCursor: null, hasNextPage: true },
    });
  });

  const orders: [string, 'ASC' | 'DESC', (article: RawArticle) => number | string | null][] = [
    ['PUBLISHED_DATE_TIME', 'ASC', (article) => article.publishedTime],
    ['QUALITY', 'DESC', (article) => article.quality],
    ['QUALITY', 'ASC', (article) => article.quality],
    ['HEAT', 'DESC', (article) => article.heat],
    ['HEAT', 'ASC', (article) => article.heat],
    ['TITLE', 'ASC', (article) => article.title],
    ['TITLE', 'DESC', (article) => article.title],
  ];
  it.each(orders)('should order by %s %s with nulls last and ties by slug, forward and backward', async (field, direction, key) => {
    const expected = slugs(sortRaw(published, key, direction));
    const orderBy = { field, direction };
    expect((await pageForward({ orderBy }, 6)).visited).toEqual(expected);
    expect(await pageBackward({ orderBy }, 6)).toEqual(expected);
  });

  it('should default the direction to DESC for scores and ASC for TITLE', async () => {
    const quality = await execute(yoga, PAGE, { first: 100, orderBy: { field: 'QUALITY' } });
    expect(quality.body.data.articles.nodes.map((node: any) => node.slug)).toEqual(slugs(sortRaw(published, (a) => a.quality, 'DESC')));
    const title = await execute(yoga, PAGE, { first: 100, orderBy: { field: 'TITLE' } });
    expect(title.body.data.articles.nodes.map((node: any) => node.slug)).toEqual(slugs(sortRaw(published, (a) => a.title, 'ASC')));
  });

  const busiestTopic = 'Robotics';
  const filters: [string, Record<string, unknown>, (article: RawArticle) => boolean][] = [
    ['topics by name', { topics: [busiestTopic] }, (article) => article.topics.includes(busiestTopic)],
    [
      'topics by slug, any of',
      { topics: ['healthcare-ai', 'ai-ethics'] },
      (article) => article.topics.some((topic) => ['Healthcare AI', 'AI Ethics'].includes(topic)),
    ],
    [
      'providers by domain',
      { providers: ['www.Reuters.com', 'nature.com'] },
      (article) => ['reuters.com', 'nature.com'].includes(article.domain ?? ''),
    ],
    ['category', { category: 'Opinion' }, (article) => article.category === 'opinion'],
    ['type', { type: 'blog' }, (article) => article.type === 'blog'],
    [
      'publishedAfter',
      { publishedAfter: '2024-06-18T00:00:00Z' },
      (article) => (article.publishedTime ?? -Infinity) > Date.parse('2024-06-18T00:00:00Z'),
    ],
    [
      'publishedBefore',
      { publishedBefore: '2023-06-21T00:00:00Z' },
      (article) => (article.publishedTime ?? Infinity) < Date.parse('2023-06-21T00:00:00Z'),
    ],
    ['minQuality', { minQuality: 100 }, (article) => (article.quality ?? -1) >= 100],
    ['minHeat', { minHeat: 200 }, (article) => (article.heat ?? -1) >= 200],
    ['hasImages: true', { hasImages: true }, (article) => article.imageCount > 0],
    ['hasImages: false', { hasImages: false }, (article) => article.imageCount === 0],
    [
      'search, case- and accent-insensitive',
      { search: 'ZURICH' },
      (article) => /zürich|zurich/i.test(article.title) || /zürich|zurich/i.test(article.excerpt ?? ''),
    ],
    [
      'several conditions at once',
      { topics: ['AI'], minQuality: 50, hasImages: true },
      (article) => article.topics.includes('AI') && (article.quality ?? -1) >= 50 && article.imageCount > 0,
    ],
  ];
  it.each(filters)('should filter by %s', async (_name, filter, predicate) => {
    const expected = slugs(newestFirst(published.filter(predicate)));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(published.length);
    const { body } = await execute(yoga, PAGE, { first: 100, filter });
    expect(body.errors).toBeUndefined();
    expect(body.data.articles.totalCount).toBe(expected.length);
    expect(body.data.articles.nodes.map((node: any) => node.slug)).toEqual(expected);
  });

  it.each([
    [{ first: 101 }, 'first', '`first` must be from 0 to 100, found 101'],
    [{ first: -1 }, 'first', '`first` must be from 0 to 100, found -1'],
    [{ last: 500 }, 'last', '`last` must be from 0 to 100, found 500'],
    [{ after: 'not-a-cursor' }, 'after', 'The after cursor "not-a-cursor" is malformed'],
    [{ before: '%%%' }, 'before', 'The before cursor "%%%" is malformed'],
  ])('should refuse %j with BAD_USER_INPUT naming what is allowed', async (variables, argumentName, message) => {
    const { status, body } = await execute(yoga, PAGE, variables);
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.message).toContain(message);
    expect(body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName });
  });

  it('should refuse a cursor issued for another order', async () => {
    const byQuality = await execute(yoga, PAGE, { first: 2, orderBy: { field: 'QUALITY' } });
    const { body } = await execute(yoga, PAGE, { first: 2, after: byQuality.body.data.articles.pageInfo.endCursor });
    expect(body.errors![0]!.message).toBe(
      'The after cursor belongs to another order or list; request the first page again with this orderBy.',
    );
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('article', () => {
  const target = newestFirst(published)[3]!;
  const QUERY = /* GraphQL */ `
    query One($id: ID, $slug: String, $url: String) { article(id: $id, slug: $slug, url: $url) { id slug title } }
  `;

  it('should find an article by slug, then by its global id', async () => {
    const bySlug = await execute(yoga, QUERY, { slug: target.slug });
    expect(bySlug.body.data.article).toMatchObject({ slug: target.slug, title: target.title });
    const byId = await execute(yoga, QUERY, { id: bySlug.body.data.article.id });
    expect(byId.body.data.article).toEqual(bySlug.body.data.article);
  });

  it('should find an article by any variant of its webUrl and by its AMP URL', async () => {
    const url = new URL(target.webUrl!);
    const withoutWww = target.webUrl!.replace('://www.', '://');
    const variants = [
      target.webUrl!,
      url.hostname.startsWith('www.') ? withoutWww : target.webUrl!.replace('://', '://www.'),
      target.webUrl!.replace('https://', 'http://'),
      target.webUrl!.endsWith('/') ? target.webUrl!.slice(0, -1) : `${target.webUrl!}/`,
      `${target.webUrl!}#comments`,
      `${target.webUrl!}${url.search ? '&' : '?'}utm_source=newsletter&utm_medium=email`,
      url.href.replace(url.hostname, url.hostname.toUpperCase()),
    ];
    for (const variant of variants) {
      const { body } = await execute(yoga, QUERY, { url: variant });
      expect(body.data.article?.slug, variant).toBe(target.slug);
    }
    const withAmp = published.find((article) => article.ampWebUrl !== null)!;
    expect((await execute(yoga, QUERY, { url: withAmp.ampWebUrl })).body.data.article.slug).toBe(withAmp.slug);
  });

  it('should return null for an unknown slug, url or id', async () => {
    const unknownId = Buffer.from('Article:no-such-article').toString('base64');
    for (const variables of [{ slug: 'no-such-article' }, { url: 'https://example.com/nothing' }, { id: unknownId }]) {
      const { body } = await execute(yoga, QUERY, variables);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ article: null });
    }
  });

  it.each([
    [{}, 0],
    [{ slug: 'a', url: 'https://example.com/' }, 2],
  ])('should refuse %j: exactly one argument is allowed', async (variables, found) => {
    const { body } = await execute(yoga, QUERY, variables);
    expect(body.errors![0]).toMatchObject({
      message: `Pass exactly one of \`id\`, \`slug\` or \`url\`; found ${found}.`,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});

const HOUR = 3_600_000;

/** `instant` minus whole calendar months, in UTC, a day past the end of the month landing on its last day. */
function monthsBefore(instant: number, months: number): number {
  const date = new Date(instant);
  const month = date.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), month + 1, 0)).getUTCDate();
  return Date.UTC(
    date.getUTCFullYear(),
    month,
    Math.min(date.getUTCDate(), lastDay),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

/** Every slug of a filtered article list, page after page, in order. */
async function allSlugs(server: NewsgraphServer, filter: Record<string, unknown>, preview = false): Promise<string[]> {
  const visited: string[] = [];
  let after: string | null = null;
  for (;;) {
    const { body }: GraphQLResponse = await execute(server, PAGE, { filter, first: 100, after }, { preview });
    expect(body.errors).toBeUndefined();
    visited.push(...body.data.articles.nodes.map((node: { slug: string }) => node.slug));
    if (!body.data.articles.pageInfo.hasNextPage) return visited;
    after = body.data.articles.pageInfo.endCursor;
  }
}

/**
 * The date filters of one content directory, checked against its raw files: `day` is a date a
 * published article was published on after midnight, `gap` an instant with no article within two
 * hours, and `gapMonth` (`[year, month]`, month 1-12) a month with no article in it; `skip` skips them.
 */
function describeDateFilters(name: string, directory: string, day: string, gap: string, gapMonth: [number, number], skip = false) {
  describe.skipIf(skip)(`date filters over ${name}`, () => {
    const files = skip ? [] : readRawArticles(directory);
    let server: NewsgraphServer;
    beforeAll(async () => {
      server = await serverOf(directory);
    });

    /** The slugs of a view's articles that pass `test`, newest first. */
    const expected = (preview: boolean, test: (time: number) => boolean) =>
      slugs(newestFirst(files.filter((file) => (preview || file.published) && file.publishedTime !== null && test(file.publishedTime))));

    it('should have the articles the cases below need', () => {
      const start = Date.parse(`${day}T00:00:00Z`);
      expect(files.some((file) => file.publishedTime! > start && file.publishedTime! < start + 24 * HOUR)).toBe(true);
      expect(files.some((file) => Math.abs(file.publishedTime! - Date.parse(gap)) < 2 * HOUR)).toBe(false);
      const [year, month] = gapMonth;
      expect(
        files.some(
          (file) => new Date(file.publishedTime!).getUTCFullYear() === year && new Date(file.publishedTime!).getUTCMonth() === month - 1,
        ),
      ).toBe(false);
    });

    it.each([false, true])(
      'should read a date as the start of that day in UTC, in publishedAfter and publishedBefore (preview: %s)',
      async (preview) => {
        const start = Date.parse(`${day}T00:00:00Z`);
        const after = await allSlugs(server, { publishedAfter: day }, preview);
        expect(after).toEqual(expected(preview, (time) => time > start));
        expect(await allSlugs(server, { publishedAfter: `${day}T00:00:00Z` }, preview)).toEqual(after);
        expect(await allSlugs(server, { publishedBefore: day }, preview)).toEqual(expected(preview, (time) => time < start));
        const both = await allSlugs(server, { publishedAfter: day, publishedBefore: `${day}T23:59:59.999+00:00` }, preview);
        expect(both).toEqual(expected(preview, (time) => time > start && time < start + 24 * HOUR - 1));
        expect(both.length).toBeGreaterThan(0);
      },
    );

    it('should accept a date in a literal as well as in a variable', async () => {
      const { body } = await execute(server, `{ articles(first: 100, filter: { publishedAfter: "${day}" }) { totalCount } }`);
      expect(body.data.articles.totalCount).toBe(expected(false, (time) => time > Date.parse(`${day}T00:00:00Z`)).length);
    });

    it.each([false, true])(
      'should keep what publishedWithin says, counted back from the time of the request (preview: %s)',
      async (preview) => {
        const now = Date.now();
        expect(await allSlugs(server, { publishedWithin: 'P20Y' }, preview)).toEqual(
          expected(preview, (time) => time >= monthsBefore(now, 240)),
        );
        expect(await allSlugs(server, { publishedWithin: 'PT1S' }, preview)).toEqual(expected(preview, (time) => time >= now - 1000));
        // Back to at most an hour before `gap`: no article is that close to it.
        const hours = Math.ceil((now - Date.parse(gap)) / HOUR);
        const byHours = await allSlugs(server, { publishedWithin: `PT${hours}H` }, preview);
        expect(byHours).toEqual(expected(preview, (time) => time >= now - hours * HOUR));
        expect(await allSlugs(server, { publishedWithin: `P${hours / 24}D` }, preview)).toEqual(byHours);
        // Back to this day and time in `gapMonth`, by calendar months.
        const [year, month] = gapMonth;
        const months = new Date(now).getUTCFullYear() * 12 + new Date(now).getUTCMonth() - (year * 12 + month - 1);
        const byMonths = await allSlugs(server, { publishedWithin: `P${Math.floor(months / 12)}Y${months % 12}M` }, preview);
        expect(byMonths).toEqual(expected(preview, (time) => time >= monthsBefore(now, months)));
        expect(byMonths.length).toBeGreaterThan(0);
        expect(byMonths.length).toBeLessThan(expected(preview, () => true).length);
      },
    );
  });
}

describeDateFilters('content/', CONTENT_DIR, '2025-03-04', '2024-11-06T12:00:00Z', [2024, 12]);
describeDateFilters('the real sample', SAMPLE_CORPUS, '2023-03-14', '2021-01-01T00:00:00Z', [2020, 12], !requireSharedCorpus());

describe('bad date and duration values', () => {
  const FILTER = 'query Filtered($filter: ArticleFilter) { articles(filter: $filter) { totalCount } }';
  const DATE_TIME = 'expected an RFC 3339 date-time such as 2021-03-11T09:30:00Z, or a date such as 2021-03-11.';
  const DURATION =
    'expected an ISO-8601 duration such as P7D, PT12H, P1M or P1Y2M3DT4H (whole years and months; a fraction such as PT1.5H elsewhere).';

  it.each([
    ['publishedAfter', 'yesterday', `DateTime cannot represent "yesterday": ${DATE_TIME}`],
    ['publishedBefore', '2021-02-30', `DateTime cannot represent "2021-02-30": ${DATE_TIME}`],
    ['publishedBefore', '2021-3-1', `DateTime cannot represent "2021-3-1": ${DATE_TIME}`],
    ['publishedWithin', 'P1.5M', `Duration cannot represent "P1.5M": ${DURATION}`],
    ['publishedWithin', 'seven days', `Duration cannot represent "seven days": ${DURATION}`],
    ['publishedWithin', 7, `Duration cannot represent 7: ${DURATION}`],
  ])('should refuse %s: %j in a variable, naming the field and what is expected', async (field, value, message) => {
    const { status, body } = await execute(yoga, FILTER, { filter: { [field]: value } });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: `Variable "$filter" got invalid value ${JSON.stringify(value)} at "filter.${field}"; ${message}`,
        locations: [{ line: 1, column: 16 }],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
  });

  it.each([
    ['publishedAfter', '"yesterday"', `DateTime cannot represent "yesterday": ${DATE_TIME}`],
    ['publishedWithin', '"P1.5Y"', `Duration cannot represent "P1.5Y": ${DURATION}`],
    ['publishedWithin', '7', `Duration cannot represent 7: ${DURATION}`],
  ])('should refuse %s: %s in a literal, at its location', async (field, literal, message) => {
    const { status, body } = await execute(yoga, `{ articles(filter: { ${field}: ${literal} }) { totalCount } }`);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { message, locations: [{ line: 1, column: 22 + field.length + 2 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
  });

  it('should say what DateTime and Duration accept in their descriptions, and what publishedWithin means', async () => {
    const { body } = await execute(
      yoga,
      `{ dateTime: __type(name: "DateTime") { description } duration: __type(name: "Duration") { description }
         filter: __type(name: "ArticleFilter") { inputFields { name description } } }`,
    );
    expect(body.data.dateTime.description).toContain('or as a full date (`2021-03-11`), meaning the start of that day in UTC');
    expect(body.data.duration.description).toContain('`P7D` (7 days), `PT12H` (12 hours), `P1M` (1 month)');
    const fields = new Map(
      body.data.filter.inputFields.map((field: { name: string; description: string }) => [field.name, field.description]),
    );
    expect(fields.get('publishedWithin')).toContain('Published at or after now minus this ISO-8601 duration');
    expect(fields.get('publishedAfter')).toContain('or a date (`2021-03-11`, the start of that day in UTC)');
  });
});
