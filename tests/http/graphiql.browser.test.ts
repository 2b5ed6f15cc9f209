/**
 * GraphiQL in a real browser: the server process serves GraphiQL with no CDN, the editor opens
 * with the default query, and running it shows the newest published articles.
 *
 * Needs a Chromium executable: Debian's `apt-get install chromium` (/usr/bin/chromium), or
 * CHROMIUM_PATH=/path/to/chrome. Without one the test is skipped with a warning.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  CONTENT_DIR,
  createTempDirectory,
  findChromium,
  newestFirst,
  type RunningServer,
  readRawArticles,
  startServerProcess,
} from '../support.js';

const TIMEOUT_MS = 60_000;
const SERVER_HOST = '127.0.0.1';

const executablePath = findChromium();
if (executablePath === null) {
  console.warn(
    `graphiql.browser.test.ts: skipped, no Chromium at ${process.env.CHROMIUM_PATH || '/usr/bin/chromium'}. ` +
      'Install it with `apt-get install chromium` (Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium/Chrome executable.',
  );
}

/** The titles of the `count` newest published articles, read with js-yaml alone. */
function newestPublishedTitles(count: number): string[] {
  return newestFirst(readRawArticles(CONTENT_DIR).filter((article) => article.published))
    .slice(0, count)
    .map((article) => article.title);
}

/** The text of the Monaco editor inside `selector` (Monaco renders only the visible lines). */
function editorText(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((selector) => {
    const container = document.querySelector(selector);
    const monaco = (window as any).__MONACO;
    if (container === null || monaco === undefined) return null;
    const editor = monaco.editor.getEditors().find((candidate: any) => container.contains(candidate.getDomNode()));
    return editor === undefined ? null : (editor.getValue() as string);
  }, selector);
}

/** Replaces the text of the Monaco editor inside `selector`. */
async function setEditorText(page: Page, selector: string, text: string): Promise<void> {
  await page.evaluate(
    ([selector, text]) => {
      const container = document.querySelector(selector!);
      const editor = (window as any).__MONACO.editor.getEditors().find((candidate: any) => container?.contains(candidate.getDomNode()));
      editor.setValue(text);
    },
    [selector, text],
  );
}

/** Whether a request stays on the server's host (blob: URLs count as their origin; data: URLs are local). */
function isLocal(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === 'data:' || parsed.protocol === 'about:') return true;
  const target = parsed.protocol === 'blob:' ? new URL(parsed.pathname) : parsed;
  return target.hostname === SERVER_HOST;
}

describe.skipIf(executablePath === null)('GraphiQL in Chromium', { timeout: TIMEOUT_MS }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const screenshotDir = createTempDirectory('newsgraph-graphiql-');
  const contentCopy = createTempDirectory('newsgraph-graphiql-content-');

  beforeAll(async () => {
    // A copy of the content: the subscription test edits a file.
    cpSync(CONTENT_DIR, contentCopy, { recursive: true });
    server = await startServerProcess({ CONTENT_DIR: contentCopy });
    browser = await chromium.launch({
      executablePath: executablePath!,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Recorded above and asserted below; aborted here so that a stray CDN fetch fails fast offline.
    await page.route(
      (url) => !isLocal(url.href),
      (route) => route.abort(),
    );
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, TIMEOUT_MS);

  it('should open with the default query and run it, showing the newest published articles, offline', async () => {
    const response = await page.goto(`${server!.origin}/graphql`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);

    // GraphiQL rendered: the run button and the query editor with the default query.
    const executeButton = page.locator('.graphiql-execute-button');
    await executeButton.waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('.graphiql-query-editor').textContent()).toContain('LatestArticles');
    expect(await editorText(page, '.graphiql-query-editor')).toMatch(/query LatestArticles \{\s+articles\(first: 5\)/);

    await executeButton.click();
    await page.waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('"data"'));
    const resultText = (await editorText(page, '.graphiql-response')) ?? '';

    const expectedTitles = newestPublishedTitles(5);
    expect(expectedTitles).toHaveLength(5);
    for (const title of expectedTitles) expect(resultText).toContain(JSON.stringify(title));
    const result = JSON.parse(resultText) as { data: { articles: { nodes: { title: string }[] } }; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result.data.articles.nodes.map((node) => node.title)).toEqual(expectedTitles);

    await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT || path.join(screenshotDir, 'graphiql.png') });

    expect(requests.some((url) => new URL(url).pathname === '/graphql')).toBe(true);
    expect(requests.filter((url) => !isLocal(url))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('should run a subscription and show the event a saved file makes', async () => {
    // A visitor of its own: GraphiQL remembers the last visit's tabs.
    const page = await (await browser!.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.route(
      (url) => !isLocal(url.href),
      (route) => route.abort(),
    );
    await page.goto(`${server!.origin}/graphql`, { waitUntil: 'load' });
    const executeButton = page.locator('.graphiql-execute-button');
    await executeButton.waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('.graphiql-query-editor').textContent()).toContain('LatestArticles');
    await setEditorText(page, '.graphiql-query-editor', 'subscription Follow { articleChanges { version updated { slug title } } }');
    // GraphiQL reads the operation name from the edited document a moment after the change.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await executeButton.click();
    // The stream is open once the server holds it; then a file is saved.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const name = readdirSync(contentCopy).sort()[0]!;
    const file = path.join(contentCopy, name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title:.*$/m, 'title: "Seen in GraphiQL"'));
    await expect.poll(async () => (await editorText(page, '.graphiql-response')) ?? '', { timeout: 10_000 }).toContain('Seen in GraphiQL');
    const result = JSON.parse((await editorText(page, '.graphiql-response')) ?? '{}');
    expect(result.data.articleChanges.updated).toEqual([{ slug: name.slice(0, -'.md'.length), title: 'Seen in GraphiQL' }]);
    expect(pageErrors).toEqual([]);
  });
});
