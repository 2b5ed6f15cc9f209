import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import {
  CONTENT_DIR,
  createTempCorpus,
  execute,
  FIXTURES,
  GENEROUS_LIMITS,
  readRawArticles,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  serverOf,
} from '../support.js';

const raw = readRawArticles(CONTENT_DIR);
const published = raw.filter((article) => article.published);

const sharedCorpus = requireSharedCorpus();
let yoga: NewsgraphServer;
beforeAll(async () => {
  // These tests read whole lists at once; the limits have tests of their own.
  yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
});

describe('related articles', () => {
  const RELATED = /* GraphQL */ `
    query Related($first: Int) {
      articles(first: $first) {
        nodes {
          slug
          related {
            title
            provider { domain }
            article {
              slug
              provider { domain }
              related { article { slug } }
            }
          }
        }
      }
    }
  `;

  it('should resolve each related entry to its corpus article, or null for an external one', async () => {
    const { body } = await execute(yoga, RELATED, { first: 100 });
    const bySlug = new Map(published.map((article) => [article.slug, article]));
    let resolved = 0;
    for (const node of body.data.articles.nodes) {
      const source = bySlug.get(node.slug)!;
      node.related.forEach((entry: any, index: number) => {
        const rawEntry = source.related[index]!;
        expect(entry.title).toBe(rawEntry.title);
        const target = published.find(
          (candidate) =>
            candidate.slug !== source.slug &&
            ((candidate.webUrl !== null && sameUrl(candidate.webUrl, rawEntry.webUrl)) ||
              (candidate.ampWebUrl !== null && candidate.ampWebUrl === rawEntry.ampWebUrl)),
        );
        expect(entry.article?.slug ?? null, `${source.slug} related[${index}]`).toBe(target?.slug ?? null);
        if (target) resolved++;
      });
    }
    expect(resolved).toBeGreaterThan(5);
  });

  it.skipIf(!sharedCorpus)('should load related articles in one DataLoader batch per nesting level, each entry once', async () => {
    const QUERY = /* GraphQL */ `
      query Nested($first: Int) {
        articles(first: $first) {
          nodes { slug related { article { slug related { article { slug related { article { slug } } } } } } }
        }
      }
    `;
    // The real sample, in preview, has story clusters whose articles all cite one another.
    const sample = await serverOf(SAMPLE_CORPUS, { limits: GENEROUS_LIMITS });
    let deepest = 0;
    for (const first of [5, 20, 50]) {
      const { body } = await execute(sample, QUERY, { first }, { preview: true });
      // An entry is identified by its article and its index; one loaded at a level is cached for the next.
      const seen = new Set<string>();
      const expected: { loader: string; keys: number }[] = [];
      let level: { slug: string; related: any[] }[] = body.data.articles.nodes;
      while (level.length > 0) {
        const entries = level.flatMap((article) => article.related.map((entry, index) => ({ key: `${article.slug}#${index}`, entry })));
        const fresh = new Set(entries.map(({ key }) => key).filter((key) => !seen.has(key)));
        for (const key of fresh) seen.add(key);
        if (fresh.size > 0) expected.push({ loader: 'articlesByRelatedEntries', keys: fresh.size });
        level = entries.map(({ entry }) => entry.article).filter((article) => article?.related);
      }
      expect(body.extensions!.batchCalls, `first: ${first}`).toEqual(expected);
      deepest = Math.max(deepest, expected.length);
    }
    expect(deepest).toBeGreaterThanOrEqual(3);
  });

  it('should list the reverse edges in relatedFrom', async () => {
    const { body } = await execute(
      yoga,
      `{ articles(first: 100) { nodes { slug related { article { slug } } relatedFrom(first: 100) { totalCount nodes { slug } } } } }`,
    );
    const nodes: any[] = body.data.articles.nodes;
    for (const node of nodes) {
      const expected = nodes
        .filter((other) => other.related.some((entry: any) => entry.article?.slug === node.slug))
        .map((other) => other.slug);
      expect(node.relatedFrom.nodes.map((other: any) => other.slug)).toEqual(expected);
      expect(node.relatedFrom.totalCount).toBe(expected.length);
    }
  });
});

describe('RelatedArticle.id', () => {
  it("should give an entry the same id in every request, in a list query, a detail query and a story's externalCoverage", async () => {
    const LIST = '{ articles(first: 100) { nodes { slug related { id title } } } }';
    const DETAIL = /* GraphQL */ `
      query Detail($slug: String!) {
        article(slug: $slug) {
          related { id title webUrl }
          story { externalCoverage(first: 100) { id } articles(first: 100) { nodes { related { id } } } }
        }
      }
    `;
    const first = await execute(yoga, LIST);
    const second = await execute(yoga, LIST);
    expect(first.body.errors).toBeUndefined();
    expect(second.body.data).toEqual(first.body.data);
    const withRelated = first.body.data.articles.nodes.filter((node: any) => node.related.length > 0);
    expect(withRelated.length).toBeGreaterThan(5);
    let covered = 0;
    for (const node of withRelated) {
      const { body } = await execute(yoga, DETAIL, { slug: node.slug });
      expect(
        body.data.article.related.map(({ id, title }: any) => ({ id, title })),
        node.slug,
      ).toEqual(node.related);
      const storyEntryIds = new Set(
        body.data.article.story.articles.nodes.flatMap((member: any) => member.related.map((entry: any) => entry.id)),
      );
      for (const { id } of body.data.article.story.externalCoverage) {
        expect(storyEntryIds.has(id), `${node.slug}: ${id}`).toBe(true);
        covered++;
      }
    }
    expect(covered).toBeGreaterThan(5);
  });

  it('should give every related entry of the sample content its own id', async () => {
    const { body } = await execute(yoga, '{ articles(first: 100) { nodes { related { id } } } }', {}, { preview: true });
    const ids: string[] = body.data.articles.nodes.flatMap((node: any) => node.related.map((entry: any) => entry.id));
    expect(ids.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('should give the same coverage in two articles two ids, and an entry listed twice two ids', async () => {
    // tests/fixtures/shared-images: one.md and two.md hold the same "Outside coverage" entry; two.md lists "Listed twice" twice.
    const shared = await serverOf(path.join(FIXTURES, 'shared-images'));
    const { body } = await execute(
      shared,
      '{ one: article(slug: "one") { related { id title } } two: article(slug: "two") { related { id title } } }',
    );
    const { one, two } = body.data;
    expect(one.related.map((entry: any) => entry.title)).toEqual(['Outside coverage']);
    expect(two.related.map((entry: any) => entry.title)).toEqual(['Outside coverage', 'Listed twice', 'Listed twice']);
    const ids = [...one.related, ...two.related].map((entry: any) => entry.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('should keep an entry id while the entry and its article stay, wherever it moves in the list, and change it when the entry changes', async () => {
    const article = (related: string) => `---\ntitle: Coverage\nrelated:\n${related}---\nBody.\n`;
    const kept = '  - title: Kept\n    webUrl: https://kept.example/story\n';
    const added = '  - title: Added\n    webUrl: https://added.example/story\n';
    const edited = '  - title: Kept, retitled\n    webUrl: https://kept.example/story\n';
    const idsOf = async (related: string): Promise<string[]> => {
      const server = await serverOf(createTempCorpus({ 'coverage.md': article(related) }));
      const { body } = await execute(server, '{ article(slug: "coverage") { related { id } } }');
      return body.data.article.related.map((entry: any) => entry.id);
    };
    const [before] = await idsOf(kept);
    const [, after] = await idsOf(added + kept);
    const [changed] = await idsOf(edited);
    expect(after).toBe(before);
    expect(changed).not.toBe(before);
  });
});

function sameUrl(a: string, b: string | null): boolean {
  if (b === null) return false;
  const key = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.hostname.replace(/^www\./, '')}${parsed.pathname.replace(/\/$/, '')}${parsed.search}`;
  };
  return key(a) === key(b);
}
