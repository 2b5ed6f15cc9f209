/** Expected values and request records for the example clients' tests. */
import { CONTENT_DIR, newestFirst, post, readRawArticles } from '../support.js';

/** Slugs of the published articles of content/, newest first, as the API lists them. */
export function newestPublished(): string[] {
  return newestFirst(readRawArticles(CONTENT_DIR).filter((article) => article.published)).map((article) => article.slug);
}

/** The topic the server lists first (most articles), with the slugs of all its articles in one request. */
export async function biggestTopic(origin: string): Promise<{ slug: string; slugs: string[] }> {
  const { body } = await post(origin, '{ topics(first: 1) { nodes { slug articles(first: 100) { nodes { slug } } } } }');
  const [topic] = body.data.topics.nodes;
  return { slug: topic.slug, slugs: topic.articles.nodes.map((article: { slug: string }) => article.slug) };
}

/** A fetch that records the operation name of each request it sends (from the URL of a GET, else the body). */
export function recordingFetch(requests: string[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : {};
    requests.push(url.searchParams.get('operationName') ?? body.operationName ?? '(anonymous)');
    return fetch(input, init);
  };
}
