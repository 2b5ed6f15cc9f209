import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, createTempCorpus, execute, FIXTURES, serverOf } from '../support.js';

const IMAGE_FIELDS = 'url width height isCached title attribution';

let yoga: NewsgraphServer;
beforeAll(async () => {
  yoga = await serverOf(CONTENT_DIR);
});

describe('Image', () => {
  it('should serve every field of an article image, with null for what the file does not say', async () => {
    const { body } = await execute(
      yoga,
      `{ article(slug: "2022-11-30-the-naive-promise-of-chatbots-that-never-say-i-dont-know") { images { ${IMAGE_FIELDS} } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      article: {
        images: [
          {
            url: 'https://media.wired.com/photos/6386f1a2b3c4d5e6f7a8b9c0/16:9/w_1280,c_limit/chatbot-confidence.jpg',
            width: 1280,
            height: 720,
            isCached: null,
            title: 'The Naïve Promise of Chatbots That Never Say ‘I Don’t Know’',
            attribution: 'Photo: Getty Images; illustration by Wired Staff',
          },
        ],
      },
    });
  });

  it('should serve the images of an article, of its provider and of its related entries alike', async () => {
    const { body } = await execute(
      yoga,
      `{
        cafe: article(slug: "2023-01-17-this-ai-image-generator-only-makes-pictures-of-cafe-interiors-and-its-weirdly-soothing") {
          images { ${IMAGE_FIELDS} }
          provider { images { ${IMAGE_FIELDS} } }
        }
        benchmark: article(slug: "2024-02-06-open-source-coding-model-tops-leaderboard-but-researchers-question-the-test") {
          related { images { ${IMAGE_FIELDS} } }
        }
      }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.cafe).toEqual({
      images: [
        {
          url: 'https://cdn.vox-cdn.com/thumbor/cafe-generator/1200x800/2023/01/17/cafe_generator_examples.png',
          width: 1200,
          height: 800,
          isCached: true,
          title: null,
          attribution: null,
        },
      ],
      provider: {
        images: [
          {
            url: 'https://static.newsroll.io/logos/theverge.com-50x50.png',
            width: 50,
            height: 50,
            isCached: null,
            title: null,
            attribution: null,
          },
        ],
      },
    });
    expect(body.data.benchmark.related[0]).toEqual({
      images: [
        {
          url: 'https://wp.technologyreview.com/wp-content/uploads/2024/01/benchmark-chart.jpg?resize=1200,600',
          width: 1200,
          height: 600,
          isCached: true,
          title: null,
          attribution: null,
        },
      ],
    });
  });
});

/** tests/fixtures/shared-images: one image URL in two articles with two captions, as a thumbnail and as a logo; an image listed twice. */
const SHARED_IMAGES = path.join(FIXTURES, 'shared-images');

describe('Image.id', () => {
  const KESTREL = '2025-03-04-kestrel-robotics-resumes-humanoid-shipments-with-a-new-safety-layer';

  it('should give an image the same id in every request, in a list query and in a detail query', async () => {
    const detail = /* GraphQL */ `
      query Detail($slug: String!) {
        article(slug: $slug) { images { id url width height isCached title attribution } provider { images { id url } } }
      }
    `;
    const list = /* GraphQL */ `
      query List { articles(first: 100) { nodes { slug images { id url } provider { images { id } } } } }
    `;
    const first = await execute(yoga, detail, { slug: KESTREL });
    const second = await execute(yoga, detail, { slug: KESTREL });
    const listed = await execute(yoga, list);
    expect(first.body.errors).toBeUndefined();
    expect(second.body.data).toEqual(first.body.data);
    const inList = listed.body.data.articles.nodes.find((node: any) => node.slug === KESTREL);
    const { article } = first.body.data;
    expect(inList.images).toEqual(article.images.map(({ id, url }: any) => ({ id, url })));
    expect(inList.provider.images).toEqual(article.provider.images.map(({ id }: any) => ({ id })));
    expect(article.images[0].id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('should give every image of the sample content its own id, however many owners share its URL', async () => {
    const { body } = await execute(
      yoga,
      `{
        articles(first: 100) { nodes { images { id url } related { images { id url } } } }
        providers(first: 100) { nodes { images { id url } } }
      }`,
    );
    expect(body.errors).toBeUndefined();
    const images: { id: string; url: string }[] = [
      ...body.data.articles.nodes.flatMap((node: any) => [...node.images, ...node.related.flatMap((entry: any) => entry.images)]),
      ...body.data.providers.nodes.flatMap((node: any) => node.images),
    ];
    // The Reuters picture is an article's illustration and another article's related thumbnail.
    const reuters = images.filter((image) => image.url.includes('KESTREL-K2-HUMANOID-WAREHOUSE'));
    expect(reuters).toHaveLength(2);
    expect(new Set(images.map((image) => image.id)).size).toBe(images.length);
  });

  it('should give the same image URL different ids in two articles, as a thumbnail and as a logo, and twice in one list', async () => {
    const shared = await serverOf(SHARED_IMAGES);
    const { body } = await execute(
      shared,
      `{
        one: article(slug: "one") { images { id title } related { images { id } } provider { images { id url } } }
        two: article(slug: "two") { images { id url title } related { images { id } } }
      }`,
    );
    expect(body.errors).toBeUndefined();
    const { one, two } = body.data;
    expect(one.images.map((image: any) => image.title)).toEqual(['Caption in one']);
    expect(two.images.map((image: any) => image.title)).toEqual(['Caption in two', null, null]);
    // Same URL everywhere below but the two twice.jpg; the provider's logo comes from one.md, the first mention with one.
    expect(one.provider.images.map((image: any) => image.url)).toEqual(['https://img.example/shared.jpg']);
    const ids = [
      one.images[0].id,
      one.related[0].images[0].id,
      one.provider.images[0].id,
      two.images[0].id,
      two.related[0].images[0].id,
      two.images[1].id,
      two.images[2].id,
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should keep an image id while the image and its article stay, wherever the image moves in the list, and change it when the image changes', async () => {
    const article = (images: string) => `---\ntitle: Moving pictures\nimages:\n${images}---\nBody.\n`;
    const kept = '  - url: https://img.example/kept.jpg\n    title: Kept\n';
    const added = '  - url: https://img.example/added.jpg\n';
    const recaptioned = '  - url: https://img.example/kept.jpg\n    title: Kept, recaptioned\n';
    const idsOf = async (images: string): Promise<string[]> => {
      const server = await serverOf(createTempCorpus({ 'moving.md': article(images) }));
      const { body } = await execute(server, '{ article(slug: "moving") { images { id } } }');
      return body.data.article.images.map((image: any) => image.id);
    };
    const [before] = await idsOf(kept);
    const [, after] = await idsOf(added + kept);
    const [changed] = await idsOf(recaptioned);
    expect(after).toBe(before);
    expect(changed).not.toBe(before);
  });

  it('should not be a global id: node(id:) does not fetch an image', async () => {
    const { body } = await execute(yoga, 'query Detail($slug: String!) { article(slug: $slug) { images { id } } }', { slug: KESTREL });
    const { id } = body.data.article.images[0];
    const fetched = await execute(yoga, 'query Fetch($id: ID!) { node(id: $id) { id } }', { id });
    expect(fetched.body.data).toEqual({ node: null });
    expect(fetched.body.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
      ['BAD_USER_INPUT', `"${id}" is not a global id of this API: pass the \`id\` field of an Article, Provider, Topic or Story.`],
    ]);
  });
});
