import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTempCorpus,
  createTempDirectory,
  HAS_PROC,
  PREVIEW_TOKEN,
  PROJECT_ROOT,
  post as postTo,
  type RunningServer,
  readRawArticles,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  SERVER_ARGS,
  startServerProcess,
} from './support.js';

/**
 * `npm start` end to end: the built server process over the shared real sample, on a real port;
 * and how the process starts and refuses to start (exit codes).
 */
const sharedCorpus = requireSharedCorpus();
const raw = sharedCorpus ? readRawArticles(SAMPLE_CORPUS) : [];
const published = raw.filter((article) => article.published);

const PAGE = /* GraphQL */ `
  query Page($after: String) {
    articles(first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { slug webUrl related { webUrl ampWebUrl article { slug } } }
    }
  }
`;

describe.skipIf(!sharedCorpus)('serving the real sample over a real port', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({ CONTENT_DIR: SAMPLE_CORPUS, PREVIEW_TOKEN });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** POSTs a GraphQL document to the running server and returns its data, failing on errors. */
  async function post(query: string, variables: Record<string, unknown> = {}, preview = false) {
    const { body } = await postTo(server.origin, query, variables, { preview });
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  async function visitAll(preview: boolean) {
    const nodes: any[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (;;) {
      const data = await post(PAGE, { after }, preview);
      nodes.push(...data.articles.nodes);
      totalCount = data.articles.totalCount;
      if (!data.articles.pageInfo.hasNextPage) return { nodes, totalCount };
      after = data.articles.pageInfo.endCursor;
    }
  }

  it('should visit every published article exactly once when paging to the end', async () => {
    const { nodes, totalCount } = await visitAll(false);
    expect(totalCount).toBe(published.length);
    expect(nodes.map((node) => node.slug).sort()).toEqual(published.map((article) => article.slug).sort());
  });

  it('should visit every file with the preview token and resolve every related entry whose URL is a file URL', async () => {
    const { nodes, totalCount } = await visitAll(true);
    expect(totalCount).toBe(raw.length);
    expect(new Set(nodes.map((node) => node.slug)).size).toBe(raw.length);
    const bySlug = new Map(raw.map((article) => [article.slug, article]));
    let matching = 0;
    for (const node of nodes) {
      const rawEntries = bySlug.get(node.slug)!.related;
      node.related.forEach((entry: any, index: number) => {
        const rawEntry = rawEntries[index]!;
        const matchesOtherFile = raw.some(
          (article) =>
            article.slug !== node.slug &&
            ((rawEntry.webUrl !== null && article.webUrl === rawEntry.webUrl) ||
              (rawEntry.ampWebUrl !== null && article.ampWebUrl === rawEntry.ampWebUrl)),
        );
        if (matchesOtherFile) {
          matching++;
          expect(entry.article, `${node.slug} -> ${rawEntry.webUrl}`).not.toBeNull();
        }
      });
    }
    expect(matching).toBe(352);
  });

  it('should leave related entries to drafts unresolved without the token', async () => {
    const { nodes } = await visitAll(false);
    const publicSlugs = new Set(published.map((article) => article.slug));
    const resolved = nodes.flatMap((node) => node.related.map((entry: any) => entry.article?.slug).filter(Boolean));
    for (const slug of resolved) expect(publicSlugs.has(slug)).toBe(true);
  });

  it('should find an article by its webUrl and its www, trailing-slash and http variants', async () => {
    const target = published.find((article) => article.webUrl?.startsWith('https://www.') && article.webUrl.endsWith('/'))!;
    const variants = [
      target.webUrl!,
      target.webUrl!.replace('https://www.', 'https://'),
      target.webUrl!.slice(0, -1),
      target.webUrl!.replace('https://', 'http://'),
    ];
    for (const url of variants) {
      const data = await post(`query($url: String!) { article(url: $url) { slug } }`, { url });
      expect(data.article, url).toEqual({ slug: target.slug });
    }
  });

  it('should answer GET queries', async () => {
    const query = encodeURIComponent('{ articles(first: 1) { totalCount } }');
    const get = await fetch(`${server.origin}/graphql?query=${query}`, { headers: { accept: 'application/graphql-response+json' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(await get.json()).toEqual({
      data: { articles: { totalCount: published.length } },
      extensions: { cost: { value: 1, limit: 20_000 } },
    });
  });

  it('should log one startup summary with the counts', () => {
    const summary = server
      .output()
      .split('\n')
      .filter((line) => line.includes(' loaded '));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain(`${published.length} articles, ${raw.length - published.length} drafts,`);
    expect(server.output()).not.toContain(PREVIEW_TOKEN);
  });

  it('should run full collections once the load is done, and say so once', async () => {
    // What they give back shows at 100k articles (bench/RESULTS.md); a small corpus leaves little.
    const line = /memory: (\d+) full collections after the load, heap \d+ -> \d+ MB/;
    await vi.waitFor(() => expect(server.output()).toMatch(line), { timeout: 10_000, interval: 100 });
    const lines = server
      .output()
      .split('\n')
      .filter((text) => line.test(text));
    expect(lines).toHaveLength(1);
    expect(Number(line.exec(lines[0]!)![1])).toBeGreaterThanOrEqual(2);
  });
});

describe('starting', () => {
  it('should refuse an invalid setting with exit code 2 and a message naming it', async () => {
    const run = promisify(execFile)(process.execPath, SERVER_ARGS, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: 'forty' },
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: 'newsgraph: PORT must be a whole number from 0 to 65535, found "forty"\n' });
  });

  it.skipIf(!sharedCorpus)('should exit 1 under --strict when the content has diagnostics', async () => {
    const run = promisify(execFile)(process.execPath, [...SERVER_ARGS, '--strict', '--port', '0', '--content-dir', SAMPLE_CORPUS], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SITE_URL: '' },
    });
    await expect(run).rejects.toMatchObject({ code: 1 });
  });

  it('should refuse content too large for its heap limit with one line naming what it needs and what to set, exit 1', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 5000 }, (_, index) => [`a${index}.md`, `---\ntitle: "Article ${index}"\n---\nBody ${index}\n`]),
    );
    const directory = createTempCorpus(files, 'newsgraph-too-large-');
    const started = Date.now();
    const run = promisify(execFile)(
      process.execPath,
      ['--max-old-space-size=16', ...SERVER_ARGS, '--port', '0', '--content-dir', directory],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    const refusal = await run.then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(refusal).toMatchObject({ code: 1, stdout: '' });
    const lines = refusal!.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\S+ error the content has 5,000 files \(\d+ KB\); serving them needs about \d+ MB of heap, but the heap limit is \d+ MB, the machine has [\d.]+ [GM]B available: start with NODE_OPTIONS=--max-old-space-size=\d+, or serve fewer files$/,
    );
    // Refused after the scan, before anything is parsed: a V8 heap exhaustion would take far longer.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('should reuse the content store of the previous start, and rebuild a corrupt one with a warning', async () => {
    const cacheDir = createTempDirectory('newsgraph-cache-main-');
    const logOf = async (writesSnapshot: boolean) => {
      const server = await startServerProcess({ CACHE_DIR: cacheDir, CONTENT_DIR: 'content' });
      const { body } = await postTo(server.origin, '{ articles(first: 1) { nodes { slug body } } }');
      // The snapshot a restart restores is written once the corpus serves.
      if (writesSnapshot)
        await vi.waitFor(() =>
          expect(server.output()).toMatch(/content store: corpus snapshot written in \d+ ms; a restart restores it\n/),
        );
      await server.stop();
      return { log: server.output(), article: body.data.articles.nodes[0] };
    };
    const cold = await logOf(true);
    expect(cold.log).toMatch(/in \d+ ms \(0 files from the content store, 32 parsed\)/);
    const warm = await logOf(false);
    expect(warm.log).toMatch(/in \d+ ms \(32 files from the content store, restored from its snapshot\)/);
    expect(warm.log).not.toMatch(/snapshot written/);
    expect(warm.article).toEqual(cold.article);
    expect(warm.article.body.length).toBeGreaterThan(100);
    const [store] = readdirSync(cacheDir).filter((name) => name.startsWith('store-'));
    writeFileSync(path.join(cacheDir, store!, 'data.mdb'), 'not a store');
    const damaged = await logOf(true);
    expect(damaged.log).toMatch(/ warn {2}the content store \S+ is not used because .*; it was moved to \S+\.bad and is rebuilt\n/);
    expect(damaged.log).toMatch(/\(0 files from the content store, 32 parsed\)/);
    expect(damaged.article).toEqual(cold.article);
  });
});

describe('changing the content of a running server', () => {
  const article = (title: string) => `---\ntitle: ${JSON.stringify(title)}\npublishedDateTime: 2026-12-01T10:00:00Z\n---\nBody.\n`;
  const TITLE_AND_VERSION = '{ article(slug: "story") { title } articles(first: 0) { totalCount } }';

  /** Polls the server until the story's title is `title`; fails after 5 s. */
  async function untilTitle(origin: string, title: string | null): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const { body } = await postTo(origin, TITLE_AND_VERSION);
      if ((body.data?.article?.title ?? null) === title) return;
      if (Date.now() > deadline) throw new Error(`the server still answers ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The children of a process (of any of its threads) that it has not reaped, from /proc. */
  function zombieChildren(pid: number): string[] {
    const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
    );
    return children.filter((child) => /\) Z /.test(readFileSync(`/proc/${child}/stat`, 'utf8')));
  }

  it('should serve a saved change, a new file and a deletion without a restart, and log each version', async () => {
    const directory = createTempCorpus({ 'story.md': article('First title') });
    const server = await startServerProcess({ CONTENT_DIR: directory });
    try {
      expect(server.output()).toContain(`watching ${directory}: changes are served as they are saved`);
      writeFileSync(path.join(directory, 'story.md'), article('Second title'));
      await untilTitle(server.origin, 'Second title');
      writeFileSync(path.join(directory, 'other.md'), article('Another one'));
      rmSync(path.join(directory, 'story.md'));
      await untilTitle(server.origin, null);
      const { body } = await postTo(server.origin, TITLE_AND_VERSION);
      expect(body.data.articles.totalCount).toBe(1);
      expect(server.output()).toMatch(/content version [0-9a-f]{12}\.1 in \d+ ms: 0 added, 1 updated, 0 removed/);
      // The watcher asks no shell for a Watchman service, so it leaves no zombie behind.
      expect(HAS_PROC ? zombieChildren(server.process.pid!) : []).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('should serve /metrics with the version and each live update', async () => {
    const directory = createTempCorpus({ 'story.md': article('First title') });
    const server = await startServerProcess({ CONTENT_DIR: directory });
    try {
      writeFileSync(path.join(directory, 'story.md'), article('Second title'));
      await untilTitle(server.origin, 'Second title');
      const response = await fetch(`${server.origin}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/^newsgraph_content_version_info\{version="[0-9a-f]{12}\.1"\} 1$/m);
      expect(text).toMatch(/^newsgraph_content_updates_total 1$/m);
      expect(Number(/^newsgraph_content_load_duration_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it('should not watch with WATCH=off, and read the directory again on SIGHUP', async () => {
    const directory = createTempCorpus({ 'story.md': article('First title') });
    const child = await startServerProcess({ CONTENT_DIR: directory, WATCH: 'off' });
    try {
      expect(child.output()).toContain(`not watching ${directory} (WATCH=off): send SIGHUP to read it again`);
      writeFileSync(path.join(directory, 'story.md'), article('Second title'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await postTo(child.origin, TITLE_AND_VERSION)).body.data.article.title).toBe('First title');
      child.process.kill('SIGHUP');
      await untilTitle(child.origin, 'Second title');
      expect(child.output()).toContain(`SIGHUP received: reading ${directory} again`);
    } finally {
      await child.stop();
    }
  });
});
