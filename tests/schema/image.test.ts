import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, execute, serverOf } from '../support.js';

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
