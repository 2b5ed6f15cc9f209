import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxHtmlLength, renderBody } from '../../src/content/body.js';
import type { NewsgraphServer } from '../../src/http/server.js';
import {
  CONTENT_DIR,
  corpusOf,
  createTempCorpus,
  execute,
  FIXTURES,
  GENEROUS_LIMITS,
  readRawFiles,
  recordOf,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  serverOf,
} from '../support.js';

const HOSTILE_MARKDOWN = path.join(FIXTURES, 'hostile-markdown');
const ZURICH = '2024-03-14-zurich-startup-alpenmind-releases-open-speech-model-that-runs-on-a-laptop';
/** A sample article (a draft) whose file has an excerpt and no body. */
const WITHOUT_BODY = '2024-03-14-alpenminds-whisperweight-hits-4-word-error-rate-on-a-cpu';

const BODY_FIELDS = /* GraphQL */ `
  query Body($slug: String!, $maxLength: Int) {
    article(slug: $slug) {
      slug
      excerpt(maxLength: $maxLength)
      bodyHtml
      bodyText
      wordCount
      readingTimeMinutes
      headings { depth text anchor }
    }
  }
`;

describe('the body fields over content/', () => {
  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(CONTENT_DIR);
  });

  it('should serve an article body as sanitized HTML with heading ids, plain text, counts and headings', async () => {
    const { status, body } = await execute(yoga, BODY_FIELDS, { slug: ZURICH, maxLength: 60 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.article).toEqual({
      slug: ZURICH,
      excerpt: 'Whisperweight transcribes 40 languages offline on an…',
      bodyHtml:
        '<p>Alpenmind, a two-year-old startup based in Zürich, has released <strong>Whisperweight</strong>, a speech recognition ' +
        'model small enough to run on a mid-range laptop without a GPU. The company says the model handles 40 languages and is ' +
        'available under a license that allows commercial use.</p>\n' +
        '<h2 id="user-content-what-it-can-do">What it can do</h2>\n<ul>\n' +
        '<li>Transcribe speech offline at roughly twice real-time speed on a four-core CPU</li>\n' +
        '<li>Detect the spoken language automatically</li>\n<li>Produce word-level timestamps for subtitles</li>\n</ul>\n' +
        '<p>In our brief tests, Whisperweight kept up with a noisy train announcement and a fast-talking podcast host, though it ' +
        'stumbled on Swiss German dialect — which, the founders admit, is "still a work in progress."</p>\n' +
        '<p>The weights and a demo are on the company\'s <a href="https://huggingface.co/alpenmind/whisperweight-300m" ' +
        'rel="noopener noreferrer">model page</a>.</p>\n',
      bodyText:
        'Alpenmind, a two-year-old startup based in Zürich, has released Whisperweight, a speech recognition model small enough ' +
        'to run on a mid-range laptop without a GPU. The company says the model handles 40 languages and is available under a ' +
        'license that allows commercial use.\nWhat it can do\n' +
        'Transcribe speech offline at roughly twice real-time speed on a four-core CPU\nDetect the spoken language automatically\n' +
        'Produce word-level timestamps for subtitles\n' +
        'In our brief tests, Whisperweight kept up with a noisy train announcement and a fast-talking podcast host, though it ' +
        'stumbled on Swiss German dialect — which, the founders admit, is "still a work in progress."\n' +
        "The weights and a demo are on the company's model page.",
      wordCount: 121,
      readingTimeMinutes: 1,
      headings: [{ depth: 2, text: 'What it can do', anchor: 'user-content-what-it-can-do' }],
    });
  });

  it("should serve the file's excerpt whole without maxLength", async () => {
    const { body } = await execute(yoga, BODY_FIELDS, { slug: ZURICH });
    expect(body.data.article.excerpt).toBe(
      'Whisperweight transcribes 40 languages offline on an ordinary CPU — and Alpenmind says anyone can use it, even commercially.',
    );
  });

  it('should answer null, 0 and [] for an article without a body, and keep its excerpt', async () => {
    const { body } = await execute(yoga, BODY_FIELDS, { slug: WITHOUT_BODY, maxLength: 30 }, { preview: true });
    expect(body.errors).toBeUndefined();
    expect(body.data.article).toEqual({
      slug: WITHOUT_BODY,
      excerpt: 'Benchmarks shared with…',
      bodyHtml: null,
      bodyText: null,
      wordCount: 0,
      readingTimeMinutes: 0,
      headings: [],
    });
  });

  it('should serve for every article what the renderer makes of its body, listing headings that are ids of its HTML', async () => {
    const { body } = await execute(
      yoga,
      '{ articles(first: 100) { nodes { slug body bodyHtml bodyText wordCount readingTimeMinutes headings { depth text anchor } } } }',
      {},
      { preview: true },
    );
    expect(body.errors).toBeUndefined();
    const nodes = body.data.articles.nodes;
    expect(nodes.length).toBe(readRawFiles(CONTENT_DIR).length);
    for (const node of nodes) {
      if (node.body === null) {
        expect(node, node.slug).toMatchObject({ bodyHtml: null, bodyText: null, wordCount: 0, readingTimeMinutes: 0, headings: [] });
        continue;
      }
      const { html, text, wordCount, readingTimeMinutes, headings } = renderBody(node.body);
      expect(node, node.slug).toEqual({
        slug: node.slug,
        body: node.body,
        bodyHtml: html,
        bodyText: text,
        wordCount,
        readingTimeMinutes,
        headings,
      });
      for (const heading of headings) expect(html, node.slug).toContain(` id="${heading.anchor}">`);
    }
    expect(nodes.filter((node: any) => node.headings.length > 0).length).toBe(5);
  });

  it.each([0, -5, 1001])(
    'should refuse excerpt(maxLength: %i) with BAD_USER_INPUT and still answer the other fields',
    async (maxLength) => {
      const { status, body } = await execute(yoga, BODY_FIELDS, { slug: ZURICH, maxLength });
      expect(status).toBe(200);
      expect(body.data.article.excerpt).toBeNull();
      expect(body.data.article.wordCount).toBe(121);
      expect(body.errors).toEqual([
        {
          message: `\`maxLength\` must be from 1 to 1000, found ${maxLength}`,
          locations: [{ line: 5, column: 7 }],
          path: ['article', 'excerpt'],
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'maxLength' },
        },
      ]);
    },
  );
});

describe('the body fields over the hostile Markdown fixtures', () => {
  let yoga: NewsgraphServer;
  beforeAll(async () => {
    yoga = await serverOf(HOSTILE_MARKDOWN);
  });

  it('should serve what the renderer makes of each body, and a BODY_RENDER_FAILED field error naming the file it refuses', async () => {
    const { status, body } = await execute(yoga, '{ articles(first: 100) { nodes { sourcePath title bodyHtml wordCount } } }');
    expect(status).toBe(200);
    const corpus = await corpusOf(HOSTILE_MARKDOWN);
    const nodes: any[] = body.data.articles.nodes;
    expect(nodes.length).toBe(16);
    for (const node of nodes) {
      const rendered = renderBody(recordOf(corpus.public.articleBySlug(node.sourcePath.slice(0, -3))!).body!);
      expect(node, node.sourcePath).toMatchObject({ bodyHtml: rendered.html, wordCount: rendered.wordCount });
    }
    const refused = nodes.findIndex((node) => node.sourcePath === 'link-reference-amplification.md');
    const markdownLength = recordOf(corpus.public.articleBySlug('link-reference-amplification')!).body!.length;
    expect(nodes[refused]).toEqual({
      sourcePath: 'link-reference-amplification.md',
      title: 'Hostile Markdown: a link reference used many times',
      bodyHtml: null,
      wordCount: 100,
    });
    expect(body.errors).toEqual([
      {
        message:
          'The body of link-reference-amplification.md cannot be rendered as HTML: its HTML would be longer than ' +
          `${maxHtmlLength(markdownLength)} characters (8 times the Markdown plus 65536).`,
        locations: [{ line: 1, column: 51 }],
        path: ['articles', 'nodes', refused, 'bodyHtml'],
        extensions: { code: 'BODY_RENDER_FAILED', sourcePath: 'link-reference-amplification.md' },
      },
    ]);
  });

  it('should fall back to the start of the body text, whitespace collapsed, when the file has no excerpt', async () => {
    const slug = 'duplicate-headings';
    expect((await execute(yoga, BODY_FIELDS, { slug })).body.data.article.excerpt).toBe(
      'Results Results Results-1 Results See the first results and the third.',
    );
    expect((await execute(yoga, BODY_FIELDS, { slug, maxLength: 30 })).body.data.article.excerpt).toBe('Results Results Results-1…');
  });

  it('should list duplicate headings with the anchors GitHub gives them', async () => {
    const { body } = await execute(yoga, BODY_FIELDS, { slug: 'duplicate-headings' });
    expect(body.data.article.headings).toEqual([
      { depth: 2, text: 'Results', anchor: 'user-content-results' },
      { depth: 2, text: 'Results', anchor: 'user-content-results-1' },
      { depth: 2, text: 'Results-1', anchor: 'user-content-results-1-1' },
      { depth: 2, text: 'Results', anchor: 'user-content-results-2' },
    ]);
  });
});

describe('the heading ids', () => {
  const article = (title: string, body: string) => `---\ntitle: ${title}\npublishedDateTime: 2024-01-02T00:00:00Z\n---\n${body}`;

  it('should give the same heading in two articles two ids, stable across requests and between a list and a detail query', async () => {
    const yoga = await serverOf(
      createTempCorpus({
        'one.md': article('One', '## Background\n\nText.\n\n## Background\n\nMore.\n'),
        'two.md': article('Two', '## Background\n\nText.\n'),
      }),
    );
    const list = '{ articles { nodes { slug headings { id anchor } } } }';
    const first = await execute(yoga, list);
    expect(first.body.errors).toBeUndefined();
    const bySlug = Object.fromEntries(first.body.data.articles.nodes.map((node: any) => [node.slug, node.headings]));
    expect(bySlug.one.map((heading: any) => heading.anchor)).toEqual(['user-content-background', 'user-content-background-1']);
    const ids = [...bySlug.one, ...bySlug.two].map((heading: any) => heading.id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await execute(yoga, list)).body).toEqual(first.body);
    const detail = await execute(yoga, '{ article(slug: "two") { headings { id anchor } } }');
    expect(detail.body.data.article.headings).toEqual(bySlug.two);
  });

  it('should change a heading id when its text changes, and keep the others', async () => {
    const before = await execute(
      await serverOf(createTempCorpus({ 'one.md': article('One', '## First\n\nText.\n\n## Second\n') })),
      '{ article(slug: "one") { headings { id } } }',
    );
    const after = await execute(
      await serverOf(createTempCorpus({ 'one.md': article('One', '## First\n\nOther text.\n\n## Second, edited\n') })),
      '{ article(slug: "one") { headings { id } } }',
    );
    const [firstBefore, secondBefore] = before.body.data.article.headings;
    const [firstAfter, secondAfter] = after.body.data.article.headings;
    expect(firstAfter).toEqual(firstBefore);
    expect(secondAfter).not.toEqual(secondBefore);
  });
});

describe('the body fields of an article with neither excerpt nor body', () => {
  it('should answer null for excerpt, bodyHtml and bodyText, 0 for the counts and [] for headings', async () => {
    const yoga = await serverOf(createTempCorpus({ 'bare.md': '---\ntitle: Bare\n---\n\n  \n' }));
    const { body } = await execute(yoga, BODY_FIELDS, { slug: 'bare', maxLength: 10 });
    expect(body).toMatchObject({
      data: { article: { slug: 'bare', excerpt: null, bodyHtml: null, bodyText: null, wordCount: 0, readingTimeMinutes: 0, headings: [] } },
    });
    expect(body.errors).toBeUndefined();
  });
});

describe.skipIf(!requireSharedCorpus())('the body fields over the shared real sample', () => {
  it('should answer null, 0 and [] for every article: its files have no body', async () => {
    const yoga = await serverOf(SAMPLE_CORPUS, { limits: GENEROUS_LIMITS });
    const files = readRawFiles(SAMPLE_CORPUS);
    expect(files.every((file) => file.body.trim() === '')).toBe(true);
    const seen: any[] = [];
    let after: string | null = null;
    do {
      const { body }: { body: any } = await execute(
        yoga,
        'query Page($after: String) { articles(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { slug body bodyHtml bodyText wordCount readingTimeMinutes headings { anchor } } } }',
        { after },
        { preview: true },
      );
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.articles.nodes);
      after = body.data.articles.pageInfo.hasNextPage ? body.data.articles.pageInfo.endCursor : null;
    } while (after !== null);
    expect(seen.length).toBe(files.length);
    for (const node of seen) {
      expect(node).toEqual({
        slug: node.slug,
        body: null,
        bodyHtml: null,
        bodyText: null,
        wordCount: 0,
        readingTimeMinutes: 0,
        headings: [],
      });
    }
  });
});
