/**
 * The example reader (examples/reader) built and driven in Chromium against the built server: the
 * latest articles, a topic page with facet counts, a search with highlighted hits, and an article
 * page with its body, related coverage and story, each checked against the API's own answer.
 *
 * Needs a Chromium executable (see tests/http/graphiql.browser.test.ts); skipped with a warning without one.
 * Writes docs/images/reader.png when it is missing or UPDATE_SCREENSHOTS=1.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningReader, startReader } from '../../examples/reader/serve.js';
import {
  CHROMIUM_ARGS,
  CONTENT_DIR,
  createTempDirectory,
  findChromium,
  newestFirst,
  PROJECT_ROOT,
  post,
  type RunningServer,
  readRawArticles,
  startServerProcess,
} from '../support.js';

const TIMEOUT_MS = 60_000;
const SCREENSHOT = path.join(PROJECT_ROOT, 'docs/images/reader.png');

const executablePath = findChromium();
if (executablePath === null) {
  console.warn('reader.browser.test.ts: skipped, no Chromium (apt-get install chromium, or set CHROMIUM_PATH).');
}

/** The label and count of each entry of the sidebar list under the heading `title`. */
function sidebarCounts(page: Page, title: string): Promise<[string, number][]> {
  return page.$$eval(
    'aside h3',
    (headings, title) => {
      const list = headings.find((heading) => heading.textContent === title)?.nextElementSibling;
      return [...(list?.querySelectorAll('li') ?? [])].map(
        (item) => [item.firstElementChild!.textContent!, Number(item.lastElementChild!.textContent)] as [string, number],
      );
    },
    title,
  );
}

describe.skipIf(executablePath === null)('the example reader in Chromium', { timeout: TIMEOUT_MS }, () => {
  let server: RunningServer | undefined;
  let reader: RunningReader | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    server = await startServerProcess();
    reader = await startReader(`${server.origin}/graphql`);
    browser = await chromium.launch({ executablePath: executablePath!, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    // Article images live on other hosts: refused here, so the test runs offline (the reader hides them).
    const local = [new URL(server.origin).host, new URL(reader.url).host];
    await page.route(
      (url) => !local.includes(url.host),
      (route) => {
        foreignRequests.push(route.request().url());
        return route.abort();
      },
    );
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await reader?.close();
    await server?.stop();
  }, TIMEOUT_MS);

  it('should list the latest articles, newest first', async () => {
    await page.goto(reader!.url);
    await page.locator('article.card').first().waitFor();
    const titles = await page.locator('article.card h2').allTextContents();
    const expected = newestFirst(readRawArticles(CONTENT_DIR).filter((article) => article.published)).map((article) => article.title);
    expect(titles).toEqual(expected.slice(0, 10));
    await page.getByRole('button', { name: 'More articles' }).click();
    await expect.poll(() => page.locator('article.card').count()).toBe(Math.min(20, expected.length));
    expect(pageErrors).toEqual([]);
  });

  it('should open a topic page with its articles and facet counts', async () => {
    const link = page.locator('article.card .topics a').first();
    const [name, href] = [await link.textContent(), await link.getAttribute('href')];
    await link.click();
    await page.locator('h1', { hasText: name! }).waitFor();
    const slug = decodeURIComponent(href!.replace('#/topic/', ''));
    const { body } = await post(
      server!.origin,
      `query ($slug: String!) { topic(slug: $slug) { name articles(first: 10) { nodes { title }
        facets { providers(first: 5) { label count } years { label count } } } } }`,
      { slug },
    );
    const { articles } = body.data.topic;
    expect(await page.locator('article.card h2').allTextContents()).toEqual(articles.nodes.map((node: { title: string }) => node.title));
    const pairs = (values: { label: string; count: number }[]) => values.map(({ label, count }) => [label, count]);
    expect(await sidebarCounts(page, 'Providers')).toEqual(pairs(articles.facets.providers));
    expect(await sidebarCounts(page, 'Years')).toEqual(pairs(articles.facets.years));
    expect(pageErrors).toEqual([]);
  });

  it('should search from the header and show the hits with the matched words marked', async () => {
    await page.getByRole('searchbox', { name: 'Search articles' }).fill('humanoid robot');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('h1', { hasText: 'results for “humanoid robot”' }).waitFor();
    const { body } = await post(
      server!.origin,
      '{ search(query: "humanoid robot", first: 10) { totalCount nodes { article { title } } } }',
    );
    const { totalCount, nodes } = body.data.search;
    expect(totalCount).toBeGreaterThan(1);
    expect(await page.locator('h1').textContent()).toBe(`${totalCount} results for “humanoid robot”`);
    expect(await page.locator('article.card h2').allTextContents()).toEqual(
      nodes.map((hit: { article: { title: string } }) => hit.article.title),
    );
    const marked = await page.locator('.snippet mark').allTextContents();
    expect(marked.length).toBeGreaterThan(0);
    // Every word is marked where it occurs; the last also as a prefix (`robots`, `robotics`).
    expect(marked.map((word) => word.toLowerCase()).filter((word) => word !== 'humanoid' && !word.startsWith('robot'))).toEqual([]);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    const screenshot =
      !existsSync(SCREENSHOT) || process.env.UPDATE_SCREENSHOTS === '1'
        ? SCREENSHOT
        : path.join(createTempDirectory('newsgraph-reader-'), 'reader.png');
    await page.screenshot({ path: screenshot });
    expect(pageErrors).toEqual([]);
  });

  it('should open an article with its body, related coverage and story', async () => {
    const link = page.locator('article.card h2 a').first();
    const [title, href] = [await link.textContent(), await link.getAttribute('href')];
    await link.click();
    await page.locator('h1', { hasText: title! }).waitFor();
    const slug = decodeURIComponent(href!.replace('#/article/', ''));
    const { body } = await post(
      server!.origin,
      `query ($slug: String!) { article(slug: $slug) { id bodyText related { title article { title } }
        story { articleCount articles(first: 10) { nodes { id title } } } } }`,
      { slug },
    );
    const { article } = body.data;
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, with a break between blocks (textContent runs paragraphs together).
    const shownText = await page.locator('.body').innerText();
    expect(shownText.replace(/\s+/g, ' ').trim()).toBe(article.bodyText.replace(/\s+/g, ' ').trim());
    const related = article.related.map(
      (entry: { title: string; article: { title: string } | null }) => entry.article?.title ?? `${entry.title} ↗`,
    );
    expect(await page.locator('aside ul.related li').allTextContents()).toEqual(related);
    const story = article.story.articles.nodes.filter((member: { id: string }) => member.id !== article.id);
    expect(await page.locator('aside ul.story li a').allTextContents()).toEqual(story.map((member: { title: string }) => member.title));
    expect(story.length + related.length).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
    // Only article images went elsewhere.
    expect(foreignRequests.filter((url) => !/\.(jpe?g|png|webp|gif|avif)(\?|$)/i.test(url))).toEqual([]);
  });
});
