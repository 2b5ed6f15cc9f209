import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get, request } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Corpus } from '../src/content/corpus.js';
import { DEFAULT_FRONT_MATTER_LIMITS } from '../src/content/front-matter.js';
import { LiveCorpus } from '../src/content/live.js';
import { DEFAULT_MAX_FILE_BYTES, loadCorpus, restoreSharedCorpus, shareSnapshot } from '../src/content/load.js';
import type { ContentStore } from '../src/content/store.js';
import {
  CONTENT_DIR,
  createTempCorpus,
  createTempDirectory,
  HAS_PROC,
  PREVIEW_TOKEN,
  PROJECT_ROOT,
  type RunningServer,
  SERVER_ARGS,
  startServerProcess,
} from './support.js';

/**
 * WORKERS=n (src/cluster.ts): the built server as n processes on one real port, and, in one
 * process, how a worker follows worker 1 through the content store. Which worker answered a request
 * is read from the bytes each worker process has written (/proc/<pid>/io): no response says which
 * process sent it.
 */
const article = (title: string) => `---\ntitle: ${JSON.stringify(title)}\npublishedDateTime: 2026-12-01T10:00:00Z\n---\nBody.\n`;
const STORY = '{ article(slug: "story") { title } contentHealth { version } }';
/** A named operation, counted in /metrics under its name. */
const COUNTED = 'query Counted { article(slug: "story") { title } }';

/**
 * POSTs a query with the preview token (contentHealth needs it) on a connection of its own (no
 * keep-alive), so that the cluster hands each request to the next worker.
 */
function postOnNewConnection(origin: string, query: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const call = request(
      `${origin}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${PREVIEW_TOKEN}`,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      },
    );
    call.setTimeout(5_000, () => call.destroy(new Error('no answer within 5 s')));
    call.on('error', reject);
    call.end(body);
  });
}

/** GETs /metrics on a connection of its own, so that the cluster hands it to the next worker. */
function scrapeOnNewConnection(origin: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const call = get(`${origin}/metrics`, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode!, text }));
    });
    call.setTimeout(5_000, () => call.destroy(new Error('no answer within 5 s')));
    call.on('error', reject);
  });
}

/** The pid of each worker, by its number, from the lines of the workers that serve now (the last line of each number wins). */
function workerPids(output: string): Map<number, number> {
  const pids = new Map<number, number>();
  for (const match of output.matchAll(/worker (\d+): serving version \S+ as pid (\d+)/g)) pids.set(Number(match[1]), Number(match[2]));
  return pids;
}

/** Bytes a process has written so far (sockets included): `wchar` of /proc/<pid>/io. */
function bytesWritten(pid: number): number {
  return Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

/** Resolves once `test` holds of the server's output; fails after `timeoutMs`. */
async function untilOutput(server: RunningServer, test: (output: string) => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test(server.output())) {
    if (Date.now() > deadline) throw new Error(`the server did not log what was expected:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True while a process exists (a zombie counts as gone). */
function isRunning(pid: number): boolean {
  return existsSync(`/proc/${pid}/stat`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** Polls until `count` answers in a row (from every worker in turn) show the story titled `title`; resolves to their versions. */
async function untilEveryWorkerServes(server: RunningServer, title: string, count = 10): Promise<Set<string>> {
  const deadline = Date.now() + 5_000;
  const versions = new Set<string>();
  for (let inARow = 0; inARow < count; ) {
    if (Date.now() > deadline) throw new Error(`not every worker serves "${title}":\n${server.output()}`);
    const { body } = await postOnNewConnection(server.origin, STORY);
    if (body.data.article.title === title) {
      inARow++;
      versions.add(body.data.contentHealth.version);
    } else {
      inARow = 0;
      versions.clear();
    }
  }
  return versions;
}

/** Bytes each worker has written so far, by worker number. */
function bytesByWorker(pids: ReadonlyMap<number, number>): Map<number, number> {
  return new Map([...pids].map(([number, pid]) => [number, bytesWritten(pid)]));
}

// One cluster, in steps: each `it` goes on from where the one before left it.
describe.skipIf(!HAS_PROC)('WORKERS=2 with the content store', () => {
  const directory = createTempCorpus({ 'story.md': article('First title') });
  let server: RunningServer;
  let pids: Map<number, number>;
  beforeAll(async () => {
    server = await startServerProcess({ CONTENT_DIR: directory, WORKERS: '2', PREVIEW_TOKEN });
    pids = workerPids(server.output());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('should serve from both workers, and say how many serve', async () => {
    expect(server.output()).toMatch(/ info {2}serving GraphQL and GraphiQL at http:\/\/127\.0\.0\.1:\d+\/graphql with 2 workers\n/);
    expect([...pids.keys()].sort()).toEqual([1, 2]);
    const before = bytesByWorker(pids);
    for (let round = 0; round < 20; round++) {
      const { status, body } = await postOnNewConnection(server.origin, STORY);
      expect(status).toBe(200);
      expect(body.data.article).toEqual({ title: 'First title' });
    }
    // Each answer is a few hundred bytes with its headers: both workers sent several.
    for (const [number, bytes] of bytesByWorker(pids)) expect(bytes - before.get(number)!, `worker ${number}`).toBeGreaterThan(1_000);
  });

  it('should serve a file edit from every worker under one version id', async () => {
    const first = (await postOnNewConnection(server.origin, STORY)).body.data.contentHealth.version;
    writeFileSync(path.join(directory, 'story.md'), article('Second title'));
    await untilEveryWorkerServes(server, 'Second title', 2);
    const before = bytesByWorker(pids);
    expect([...(await untilEveryWorkerServes(server, 'Second title'))]).toEqual([`${first}.1`]);
    for (const [number, bytes] of bytesByWorker(pids)) expect(bytes - before.get(number)!, `worker ${number}`).toBeGreaterThan(500);
  });

  it('should answer /metrics, from whichever worker, with the requests of every worker', async () => {
    const before = bytesByWorker(pids);
    for (let round = 0; round < 12; round++) expect((await postOnNewConnection(server.origin, COUNTED)).status).toBe(200);
    for (const [number, bytes] of bytesByWorker(pids)) expect(bytes - before.get(number)!, `worker ${number}`).toBeGreaterThan(1_000);
    // Scrapes on connections of their own: the workers take them in turn, and each tells the same totals.
    const beforeScrapes = bytesByWorker(pids);
    for (let scrape = 0; scrape < 4; scrape++) {
      const { status, text } = await scrapeOnNewConnection(server.origin);
      expect(status).toBe(200);
      expect(text).toMatch(/^newsgraph_requests_total\{operation="Counted",type="query",status="200"\} 12$/m);
      // What both workers serve alike is not summed.
      expect(text).toMatch(/^newsgraph_content_articles 1$/m);
    }
    // Each scrape is several kilobytes: both workers answered some.
    for (const [number, bytes] of bytesByWorker(pids))
      expect(bytes - beforeScrapes.get(number)!, `worker ${number}`).toBeGreaterThan(5_000);
  });

  it('should replace a worker killed with SIGKILL, and a killed worker 1 with its followers, answering throughout', async () => {
    // A request every 20 ms, each on its own connection, while the workers are killed and replaced.
    const requests: Promise<{ sentAt: number; answered: boolean; outcome: string }>[] = [];
    const sender = setInterval(() => {
      const sentAt = Date.now();
      requests.push(
        postOnNewConnection(server.origin, STORY).then(
          ({ status, body }) => ({ sentAt, answered: status === 200 && body.data.article.title === 'Second title', outcome: `${status}` }),
          (error: Error) => ({ sentAt, answered: false, outcome: error.message }),
        ),
      );
    }, 20);
    /** When each worker was killed, and when the primary had logged that it noticed. */
    const kills: { killedAt: number; noticedAt: number }[] = [];
    const kill = async (number: number, pid: number) => {
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await untilOutput(server, (output) => output.includes(`worker ${number} (pid ${pid}) was killed by SIGKILL; starting another`));
      kills.push({ killedAt, noticedAt: Date.now() });
    };
    await kill(2, pids.get(2)!);
    await untilOutput(server, (output) => workerPids(output).get(2) !== pids.get(2));
    const second = workerPids(server.output()).get(2)!;
    await kill(1, pids.get(1)!);
    // The new worker 1 loads the content; then worker 2 is replaced by one that follows it.
    await untilOutput(server, (output) => workerPids(output).get(1) !== pids.get(1) && workerPids(output).get(2) !== second);
    clearInterval(sender);
    const outcomes = await Promise.all(requests);
    expect(outcomes.filter((outcome) => outcome.answered).length).toBeGreaterThan(20);
    // Only a request in flight in a killed worker is lost (its connection reset, or, handed to it by
    // the primary as it died, never answered): every one sent once the primary noticed is answered.
    const lost = outcomes.filter((outcome) => !outcome.answered);
    for (const { sentAt, outcome } of lost)
      expect(
        kills.some(({ killedAt, noticedAt }) => sentAt >= killedAt - 1_000 && sentAt <= noticedAt),
        `${outcome}, sent at ${sentAt}; kills ${JSON.stringify(kills)}`,
      ).toBe(true);
    for (let round = 0; round < 10; round++) expect((await postOnNewConnection(server.origin, STORY)).status).toBe(200);
    // The replaced worker 2 stops once its successor serves, half a second after its socket closes (listener.ts).
    await expect.poll(() => [pids.get(1)!, pids.get(2)!, second].filter(isRunning), { timeout: 5_000 }).toEqual([]);
    pids = workerPids(server.output());
    expect([...pids.values()].filter(isRunning)).toHaveLength(2);
    // Both workers of the new worker 1 serve the next edit.
    writeFileSync(path.join(directory, 'story.md'), article('Third title'));
    expect((await untilEveryWorkerServes(server, 'Third title')).size).toBe(1);
  }, 60_000);

  it('should stop every worker on SIGTERM and exit 0, leaving no worker process', async () => {
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain('SIGTERM received: stopping 2 workers');
    expect(server.output()).toContain('worker 1: SIGTERM received: refusing new connections');
    expect(server.output()).toContain('worker 2: SIGTERM received: refusing new connections');
    expect([...pids.values()].filter(isRunning)).toEqual([]);
  });
});

describe.skipIf(!HAS_PROC)('WORKERS=2 in other modes', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('should read the directory again in every worker on SIGHUP to the primary, with WATCH=off', async () => {
    const directory = createTempCorpus({ 'story.md': article('First title') });
    server = await startServerProcess({ CONTENT_DIR: directory, WORKERS: '2', WATCH: 'off', PREVIEW_TOKEN });
    writeFileSync(path.join(directory, 'story.md'), article('Second title'));
    server.process.kill('SIGHUP');
    await untilOutput(server, (output) => /worker 1: content version [0-9a-f]{12}\.1: 0 added, 1 updated, 0 removed/.test(output));
    await untilEveryWorkerServes(server, 'Second title', 6);
  });

  it('should replace a worker that does not take an update within 10 s, and then publish the update', async () => {
    const directory = createTempCorpus({ 'story.md': article('First title') });
    server = await startServerProcess({ CONTENT_DIR: directory, WORKERS: '2', PREVIEW_TOKEN });
    const hung = workerPids(server.output()).get(2)!;
    process.kill(hung, 'SIGSTOP');
    writeFileSync(path.join(directory, 'story.md'), article('Second title'));
    await untilOutput(server, (output) => output.includes(`worker 2 (pid ${hung}) did not answer worker 1 in 10 s; stopping it`), 20_000);
    expect(server.output()).toContain('worker 1: the next update has waited 10 s for worker 2 to take its files');
    await untilOutput(server, (output) => workerPids(output).get(2) !== hung);
    expect(isRunning(hung)).toBe(false);
    await untilEveryWorkerServes(server, 'Second title', 6);
  }, 40_000);

  it('should let each worker load and watch on its own with CACHE_DIR=off', async () => {
    const directory = createTempCorpus({ 'story.md': article('First title') });
    server = await startServerProcess({ CONTENT_DIR: directory, WORKERS: '2', CACHE_DIR: 'off', PREVIEW_TOKEN });
    expect(server.output()).toContain('worker 2: serving version');
    expect(server.output()).toContain('this worker loads and watches the content on its own (CACHE_DIR=off)');
    writeFileSync(path.join(directory, 'story.md'), article('Second title'));
    await untilEveryWorkerServes(server, 'Second title', 6);
  });
});

/**
 * What a corpus serves, read from its indexes and views only: two corpora over one content store in
 * one process share its decoded records, so what is read from records (servedContent) is not theirs alone.
 */
function indexedContent(corpus: Corpus) {
  return {
    diagnostics: corpus.diagnostics,
    views: [corpus.public, corpus.preview].map((view) => ({
      articles: view.articles.map((article) => [article.slug, article.title, article.publishedDateTime, article.published]),
      related: [...view.targetsOfSource]
        .map(([source, targets]) => [source.slug, ...targets.map((target) => target?.slug ?? null)])
        .sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
      relatedFrom: view.articles.map((article) => view.relatedFrom(article).map((source) => source.slug)),
      providers: view.providers.map((provider) => [
        provider.domain,
        provider.name,
        provider.articles.toArray().map((article) => article.slug),
      ]),
      topics: view.topics.map((topic) => [topic.slug, topic.name, topic.articles.toArray().map((article) => article.slug)]),
      stats: view.stats,
    })),
  };
}

describe('following worker 1 through the content store (in one process)', () => {
  /** Worker 1's live corpus over a copy of content/ with a content store, and workers that follow it. */
  async function leaderAndFollowers() {
    const root = createTempDirectory('newsgraph-cluster-');
    cpSync(CONTENT_DIR, root, { recursive: true });
    const loaded = await loadCorpus(root, { cacheDir: createTempDirectory('newsgraph-cluster-cache-') });
    const store = loaded.content as ContentStore;
    const options = {
      root,
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      parseSettings: { siteUrl: null, frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS },
      settleMs: 0,
    };
    const followers: LiveCorpus[] = [];
    let following: Promise<unknown> = Promise.resolve();
    const leader = new LiveCorpus(loaded.corpus, store, {
      ...options,
      followers: {
        prepare: async (paths) => {
          await following;
          for (const follower of followers) follower.prepareToFollow(paths);
        },
        publish: (version, previous, changes) => {
          // As the primary relays them: a copy, without the records (they are in the store).
          following = Promise.all(followers.map((follower) => follower.follow(version, previous, structuredClone(changes))));
        },
      },
    });
    const join = async () => {
      const fingerprint = await shareSnapshot(store, leader.current);
      const restored = restoreSharedCorpus(root, store.directory, { fingerprint, version: leader.current.version });
      const follower = new LiveCorpus(restored.corpus, restored.content, options);
      followers.push(follower);
      return follower;
    };
    return { root, leader, join, followed: () => following };
  }

  it('should make the same versions, with the same ids, as worker 1 through saves, additions, deletions and a broken file', async () => {
    const { root, leader, join, followed } = await leaderAndFollowers();
    const early = await join();
    const files = readdirSync(root)
      .filter((name) => name.endsWith('.md'))
      .sort();
    const edit = (name: string, change: (text: string) => string) =>
      writeFileSync(path.join(root, name), change(readFileSync(path.join(root, name), 'utf8')));
    edit(files[3]!, (text) => text.replace(/^title: .*$/m, 'title: "A new title"'));
    writeFileSync(path.join(root, 'copy.md'), readFileSync(path.join(root, files[6]!), 'utf8').replace(/^title: .*$/m, 'title: "A copy"'));
    rmSync(path.join(root, files[7]!));
    await leader.apply([files[3]!, 'copy.md', files[7]!]);
    await followed();
    expect(early.current.version).toBe(`${leader.current.version.split('.')[0]}.1`);
    expect(indexedContent(early.current)).toEqual(indexedContent(leader.current));
    expect(indexedContent(leader.current)).toEqual(indexedContent((await loadCorpus(root, { cacheDir: null })).corpus));

    // A worker that joins now restores the live version; then both follow the next updates.
    const late = await join();
    expect(late.current.version).toBe(leader.current.version);
    expect(indexedContent(late.current)).toEqual(indexedContent(leader.current));
    edit(files[3]!, () => '---\ntitle: [unclosed\n---\n');
    edit(files[1]!, (text) => text.replace(/^published: .*$/m, 'published: false'));
    await leader.apply([files[3]!, files[1]!]);
    await followed();
    expect(leader.current.version).toBe(`${leader.current.version.split('.')[0]}.2`);
    for (const follower of [early, late]) {
      expect(follower.current.version).toBe(leader.current.version);
      expect(indexedContent(follower.current)).toEqual(indexedContent(leader.current));
    }
    // The broken file keeps serving its last valid version until it is fixed; then all serve what a fresh load does.
    const broken = files[3]!.replace(/\.md$/, '');
    expect(early.current.preview.articleBySlug(broken)?.title).toBe('A new title');
    edit(files[3]!, () => '---\ntitle: "Fixed"\n---\nA body.\n');
    await leader.apply([files[3]!]);
    await followed();
    const fresh = (await loadCorpus(root, { cacheDir: null })).corpus;
    for (const corpus of [leader.current, early.current, late.current]) {
      expect(corpus.version).toBe(`${leader.current.version.split('.')[0]}.3`);
      expect(indexedContent(corpus)).toEqual(indexedContent(fresh));
      // Each reads the records of the new version from the store.
      expect(corpus.preview.articleBySlug(broken)?.body).toBe('A body.\n');
    }
  });

  it('should refuse an update that follows another version than the one it serves', async () => {
    const { leader, join } = await leaderAndFollowers();
    const follower = await join();
    follower.prepareToFollow([]);
    await expect(follower.follow('abc.2', 'abc.1', [])).rejects.toThrow(
      `version abc.2 follows abc.1, but this corpus is at ${leader.current.version}`,
    );
  });
});

describe('starting a cluster', () => {
  it('should refuse WORKERS=abc with exit code 2 and a message naming it', async () => {
    const run = promisify(execFile)(process.execPath, SERVER_ARGS, { cwd: PROJECT_ROOT, env: { ...process.env, WORKERS: 'abc' } });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: 'newsgraph: WORKERS must be a whole number from 1 to 1024, or auto, found "abc"\n',
    });
  });

  it('should stop with exit 1 when worker 1 cannot start, without starting it again', async () => {
    const run = promisify(execFile)(
      process.execPath,
      [...SERVER_ARGS, '--port', '0', '--workers', '2', '--content-dir', '/nonexistent/news'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CACHE_DIR: 'off' },
      },
    );
    const failure = await run.then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.match(/worker 1: cannot read the content directory \/nonexistent\/news: /g)).toHaveLength(1);
    expect(failure?.stderr).toMatch(/worker 1 \(pid \d+\) exited with code 1 before serving; stopping\n$/);
  });
});
