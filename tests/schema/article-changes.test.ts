import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type NewsgraphServer, type ServerOptions } from '../../src/http/server.js';
import { liveContentCopy, PREVIEW_TOKEN } from '../support.js';

/** One open subscription over SSE: its events' GraphQL results, in order, and a way to hang up. */
interface Stream {
  readonly status: number;
  /** The next result; fails after 5 s without one. */
  next(): Promise<any>;
  /** Resolves when the server ends the stream (`event: complete`) or the body ends. */
  ended(): Promise<void>;
  close(): void;
}

const open: Stream[] = [];
afterEach(() => {
  for (const stream of open.splice(0)) stream.close();
});

/** Subscribes as a GraphQL-over-SSE client does (distinct connections mode), reading the events as they come. */
async function subscribe(server: NewsgraphServer, query: string, options: { preview?: boolean; paused?: boolean } = {}): Promise<Stream> {
  const abort = new AbortController();
  const response = await server.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.preview ? { authorization: `Bearer ${PREVIEW_TOKEN}` } : {}),
    },
    body: JSON.stringify({ query }),
    signal: abort.signal,
  });
  const results: any[] = [];
  const waiting: ((result: any) => void)[] = [];
  let complete: () => void = () => {};
  const completed = new Promise<void>((resolve) => {
    complete = resolve;
  });
  const contentType = response.headers.get('content-type') ?? '';
  const reader = contentType.startsWith('text/event-stream') ? response.body!.getReader() : null;
  let resume: () => void = () => {};
  const resumed = options.paused ? new Promise<void>((resolve) => (resume = resolve)) : Promise.resolve();
  if (reader !== null) {
    void (async () => {
      await resumed;
      const decoder = new TextDecoder();
      let buffered = '';
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          buffered += decoder.decode(chunk.value, { stream: true });
          let end = buffered.indexOf('\n\n');
          while (end !== -1) {
            const message = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            end = buffered.indexOf('\n\n');
            const event = /^event: (\w+)$/m.exec(message)?.[1];
            const data = /^data: (.*)$/m.exec(message)?.[1];
            if (event === 'complete') complete();
            if (event !== 'next' || data === undefined) continue;
            const result = JSON.parse(data);
            const waiter = waiting.shift();
            if (waiter) waiter(result);
            else results.push(result);
          }
        }
      } catch {
        // Hung up by the test.
      }
      complete();
    })();
  } else {
    results.push(await response.json());
  }
  const stream: Stream = {
    status: response.status,
    next: () => {
      resume();
      const result = results.shift();
      if (result !== undefined) return Promise.resolve(result);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no event within 5 s')), 5_000);
        waiting.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    ended: () => completed,
    close: () => {
      abort.abort();
      void reader?.cancel().catch(() => {});
    },
  };
  open.push(stream);
  return stream;
}

/** A live server over a copy of the sample content, with what is needed to change its files. */
async function liveServer(options: Partial<ServerOptions> = {}) {
  const { root, live } = await liveContentCopy();
  const server = createServer({ corpus: live, previewToken: PREVIEW_TOKEN, ...options });
  const file = (name: string) => path.join(root, name);
  const edit = (name: string, change: (text: string) => string) => writeFileSync(file(name), change(readFileSync(file(name), 'utf8')));
  return { root, live, server, file, edit, names: readdirSync(root).sort() };
}

const field = (name: string, value: string) => (text: string) => text.replace(new RegExp(`^${name}:.*$`, 'm'), `${name}: ${value}`);
const slugOf = (name: string) => name.slice(0, -'.md'.length);

const CHANGES = /* GraphQL */ `
  subscription Changes($filter: ArticleFilter) {
    articleChanges(filter: $filter) { version added { slug title } updated { slug title } removed { slug } }
  }
`;

describe('Subscription.articleChanges', () => {
  it('should push each version an edit, a new file, a rename and a deletion make, as they are applied', async () => {
    const { live, server, edit, file, names } = await liveServer();
    const stream = await subscribe(server, CHANGES);
    expect(stream.status).toBe(200);
    const [first, second] = names as [string, string];
    const start = live.current.version;

    edit(first, field('title', '"Edited"'));
    await live.apply([first]);
    expect(await stream.next()).toEqual({
      data: { articleChanges: { version: `${start}.1`, added: [], updated: [{ slug: slugOf(first), title: 'Edited' }], removed: [] } },
    });

    renameSync(file(second), file('renamed.md'));
    await live.apply([second, 'renamed.md']);
    const title = live.current.public.articleBySlug('renamed')!.title;
    expect(await stream.next()).toEqual({
      data: {
        articleChanges: { version: `${start}.2`, added: [{ slug: 'renamed', title }], updated: [], removed: [{ slug: slugOf(second) }] },
      },
    });

    rmSync(file(first));
    await live.apply([first]);
    expect(await stream.next()).toEqual({
      data: { articleChanges: { version: `${start}.3`, added: [], updated: [], removed: [{ slug: slugOf(first) }] } },
    });
  });

  it('should never tell a public subscriber of a draft, and tell a preview subscriber everything', async () => {
    const { live, server, edit, names } = await liveServer();
    const publicStream = await subscribe(server, CHANGES);
    const previewStream = await subscribe(server, CHANGES, { preview: true });
    const [name] = names as [string];
    const slug = slugOf(name);
    const title = live.current.public.articleBySlug(slug)!.title;

    edit(name, (text) => text.replace(/^---\n/, '---\npublished: false\n'));
    await live.apply([name]);
    const version = live.current.version;
    expect(await publicStream.next()).toEqual({ data: { articleChanges: { version, added: [], updated: [], removed: [{ slug }] } } });
    expect(await previewStream.next()).toEqual({
      data: { articleChanges: { version, added: [], updated: [{ slug, title }], removed: [] } },
    });

    // An edit of the draft: only preview hears it.
    edit(name, field('title', '"Draft edited"'));
    await live.apply([name]);
    expect(await previewStream.next()).toMatchObject({ data: { articleChanges: { updated: [{ slug, title: 'Draft edited' }] } } });

    edit(name, (text) => text.replace('published: false\n', ''));
    await live.apply([name]);
    const published = live.current.version;
    expect(await publicStream.next()).toEqual({
      data: { articleChanges: { version: published, added: [{ slug, title: 'Draft edited' }], updated: [], removed: [] } },
    });
    expect(await previewStream.next()).toMatchObject({ data: { articleChanges: { version: published } } });
  });

  it('should follow a filter: an article enters with an edit that makes it match, and leaves with one that does not', async () => {
    const { live, server, edit, names } = await liveServer();
    const stream = await subscribe(
      server,
      `subscription { articleChanges(filter: { minQuality: 500 }) { version added { slug } updated { slug } removed { slug } } }`,
    );
    const [name, other] = names as [string, string];
    const slug = slugOf(name);

    edit(other, field('title', '"Not followed"'));
    edit(name, field('quality', '900'));
    await live.apply([other, name]);
    expect(await stream.next()).toEqual({
      data: { articleChanges: { version: live.current.version, added: [{ slug }], updated: [], removed: [] } },
    });
    edit(name, field('title', '"Still followed"'));
    await live.apply([name]);
    expect(await stream.next()).toEqual({
      data: { articleChanges: { version: live.current.version, added: [], updated: [{ slug }], removed: [] } },
    });
    edit(name, field('quality', '1'));
    await live.apply([name]);
    expect(await stream.next()).toEqual({
      data: { articleChanges: { version: live.current.version, added: [], updated: [], removed: [{ slug }] } },
    });
  });

  it("should resolve each event's nested fields against that event's version, not the one the subscription started with", async () => {
    const { live, server, edit } = await liveServer();
    // A target article, and an article whose related entry resolves to it.
    const { public: view } = live.current;
    const target = view.articles.find((article) => view.relatedFrom(article).length > 0)!;
    const linking = view.relatedFrom(target)[0]!;
    const [targetFile, linkingFile] = [target.sourcePath, linking.sourcePath];
    const stream = await subscribe(
      server,
      'subscription { articleChanges { version updated { slug title related { article { slug title } } } } }',
    );
    for (const title of ['Target, first edit', 'Target, second edit']) {
      edit(targetFile, field('title', JSON.stringify(title)));
      edit(linkingFile, field('heat', String(title.length)));
      await live.apply([targetFile, linkingFile]);
      const event = await stream.next();
      const updatedLinking = event.data.articleChanges.updated.find((article: any) => article.slug === linking.slug);
      expect(updatedLinking.related.map((entry: any) => entry.article).filter(Boolean)).toContainEqual({ slug: target.slug, title });
      expect(event.data.articleChanges.version).toBe(live.current.version);
    }
  });

  it('should send a large change as events of at most 100 articles each, all of one version', async () => {
    const { live, server, file, names } = await liveServer();
    const stream = await subscribe(server, 'subscription { articleChanges { version added { slug } } }');
    const text = readFileSync(file(names[0]!), 'utf8').replace(/^(webUrl|originalUrl|ampWebUrl|cdnAmpWebUrl):.*$/gm, '');
    const added = Array.from({ length: 250 }, (_, index) => `bulk-${String(index).padStart(3, '0')}.md`);
    for (const name of added) writeFileSync(file(name), text);
    await live.apply(added);
    const events = [await stream.next(), await stream.next(), await stream.next()];
    expect(events.map((event) => event.data.articleChanges.added.length)).toEqual([100, 100, 50]);
    expect(new Set(events.map((event) => event.data.articleChanges.version))).toEqual(new Set([live.current.version]));
    expect(events.flatMap((event) => event.data.articleChanges.added.map((article: any) => article.slug)).sort()).toEqual(
      added.map(slugOf),
    );
  });

  it('should end every stream when the corpus closes (the server stops)', async () => {
    const { live, server } = await liveServer();
    const streams = [await subscribe(server, CHANGES), await subscribe(server, CHANGES, { preview: true })];
    live.close();
    await Promise.all(streams.map((stream) => stream.ended()));
  });

  it('should refuse a subscription beyond MAX_SUBSCRIPTIONS with 503, and accept one again once a stream ends', async () => {
    const { server } = await liveServer({ maxSubscriptions: 1 });
    const first = await subscribe(server, CHANGES);
    expect(first.status).toBe(200);
    const refused = await subscribe(server, CHANGES);
    expect(refused.status).toBe(503);
    expect(await refused.next()).toEqual({
      errors: [
        {
          message:
            'This server already holds its limit of 1 open subscriptions (MAX_SUBSCRIPTIONS); retry later, or close a subscription you no longer read.',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
        },
      ],
    });
    first.close();
    const deadline = Date.now() + 5_000;
    let again = await subscribe(server, CHANGES);
    while (again.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await subscribe(server, CHANGES);
    }
    expect(again.status).toBe(200);
  });

  it('should refuse a subscription whose event could exceed the cost limit, before it starts', async () => {
    const { server } = await liveServer();
    const stream = await subscribe(
      server,
      'subscription { articleChanges { added { topics { articles(first: 100) { nodes { slug } } } } } }',
    );
    expect(stream.status).toBe(400);
    const result = await stream.next();
    expect(result.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors[0].message).toMatch(/^Query cost limit of 20000 exceeded, found \d+\./);
  });

  it('should end the stream of a subscriber that stops reading, with SUBSCRIBER_TOO_SLOW as its last message', async () => {
    const { live, server, edit, names } = await liveServer();
    const stream = await subscribe(server, 'subscription { articleChanges { version } }', { paused: true });
    const name = names[0]!;
    for (let update = 1; update <= 110; update++) {
      edit(name, field('heat', String(update)));
      await live.apply([name]);
    }
    const results: any[] = [];
    let result = await stream.next();
    for (; result.errors === undefined; result = await stream.next()) results.push(result);
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message:
            'This subscription fell more than 100 content versions behind and was ended: query the articles again, then subscribe again.',
          locations: [{ line: 1, column: 16 }],
          path: ['articleChanges'],
          extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
        },
      ],
    });
    await stream.ended();
    expect(results.length).toBeGreaterThan(90);
    expect(results.length).toBeLessThanOrEqual(101);
    expect(results.map((result) => result.data.articleChanges.version)).toEqual(
      results.map((_result, index) => `${live.current.version.split('.')[0]}.${index + 1}`),
    );
  });
});
