import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { keysOfSummary } from '../../src/content/entries.js';
import { type LoadOptions, type LoadResult, loadCorpus } from '../../src/content/load.js';
import { type ContentStore, storeDirectory } from '../../src/content/store.js';
import { StoredArticle } from '../../src/content/stored-article.js';
import {
  CONTENT_DIR,
  createTempCorpus,
  createTempDirectory,
  PROJECT_ROOT,
  recordOf,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  servedContent,
} from '../support.js';

const sharedCorpus = requireSharedCorpus();

/** Loads with a content store in `cacheDir`, collecting what the store reports. */
async function loadWithStore(directory: string, cacheDir: string, options: LoadOptions = {}) {
  const problems: string[] = [];
  const result = await loadCorpus(directory, { ...options, cacheDir, onStoreProblem: (message) => problems.push(message) });
  return { result, problems };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function dataFile(result: LoadResult): string {
  return path.join(result.store.directory!, 'data.mdb');
}

describe('loading with the content store', () => {
  /** Loads `directory` without a store, then cold and warm with one, and compares what each serves. */
  async function expectSameAsInHeap(directory: string, files: number) {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const inHeap = await loadCorpus(directory);
    const cold = await loadWithStore(directory, cacheDir);
    expect(cold.result.store).toMatchObject({ reused: 0, parsed: files, removed: 0, snapshot: 'written' });
    const indexing: [number, boolean][] = [];
    const warm = await loadWithStore(directory, cacheDir, { onIndexing: (articles, restoring) => indexing.push([articles, restoring]) });
    expect(indexing).toEqual([[files, true]]);
    expect(warm.result.store).toEqual({
      directory: cold.result.store.directory,
      reused: files,
      parsed: 0,
      removed: 0,
      snapshot: 'restored',
    });
    expect([cold.problems, warm.problems]).toEqual([[], []]);
    expect(servedContent(cold.result)).toEqual(servedContent(inHeap));
    expect(servedContent(warm.result)).toEqual(servedContent(inHeap));
  }

  it('should serve content/ exactly as a load without a store, cold and then restored from the store alone', async () => {
    await expectSameAsInHeap(CONTENT_DIR, 32);
  });

  it.skipIf(!sharedCorpus)(
    'should serve the real sample exactly as a load without a store, cold and then restored from the store alone',
    async () => {
      await expectSameAsInHeap(SAMPLE_CORPUS, 220);
    },
  );

  it('should parse on worker threads that write to the store, for the same corpus', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const onThread = await loadCorpus(CONTENT_DIR);
    const onWorkers = await loadWithStore(CONTENT_DIR, cacheDir, { threads: 3 });
    expect(onWorkers.result.timings).toMatchObject({ threads: 3, workers: 3 });
    expect(servedContent(onWorkers.result)).toEqual(servedContent(onThread));
  });

  it('should serve a load whose snapshot is deferred, and restore the snapshot once persist() has written it', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const inHeap = await loadCorpus(CONTENT_DIR);
    const deferred = await loadWithStore(CONTENT_DIR, cacheDir, { deferSnapshot: true, threads: 2 });
    expect(deferred.result.store).toMatchObject({ reused: 0, parsed: 32, snapshot: 'deferred' });
    expect(servedContent(deferred.result)).toEqual(servedContent(inHeap));
    // Before persist(), the store holds every entry but no snapshot: a start reads the entries.
    const early = await loadWithStore(CONTENT_DIR, cacheDir);
    expect(early.result.store).toMatchObject({ reused: 32, parsed: 0, snapshot: 'written' });
    const persisting = deferred.result.persist();
    expect(deferred.result.persist()).toBe(persisting);
    expect(await persisting).toBe('written');
    const restored = await loadWithStore(CONTENT_DIR, cacheDir, { deferSnapshot: true });
    expect(restored.result.store).toMatchObject({ reused: 32, parsed: 0, snapshot: 'restored' });
    expect(await restored.result.persist()).toBe('restored');
    expect(servedContent(restored.result)).toEqual(servedContent(inHeap));
    expect([deferred.problems, early.problems, restored.problems]).toEqual([[], [], []]);
  });

  it('should read records from the store, frozen, with related entries that resolve', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    await loadWithStore(CONTENT_DIR, cacheDir);
    const { result } = await loadWithStore(CONTENT_DIR, cacheDir);
    const article = result.corpus.preview.articles.find((candidate) => candidate.related.length > 1)!;
    expect(article).toBeInstanceOf(StoredArticle);
    const record = (article as StoredArticle).record();
    for (const value of [record, record.related, record.related[0], record.images, record.tags]) expect(Object.isFrozen(value)).toBe(true);
    expect(article.related).toBe(record.related);
    const inHeap = (await loadCorpus(CONTENT_DIR)).corpus.preview;
    const expected = inHeap.articlesByRelatedEntries(inHeap.articleBySlug(article.slug)!.related).map((target) => target?.slug ?? null);
    expect(result.corpus.preview.articlesByRelatedEntries(article.related).map((target) => target?.slug ?? null)).toEqual(expected);
    expect(expected.some((slug) => slug !== null)).toBe(true);
  });

  it('should read a record once without caching or freezing it, equal to the served record', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const { result } = await loadWithStore(CONTENT_DIR, cacheDir);
    for (const article of result.corpus.preview.articles) {
      const stored = article as StoredArticle;
      const once = stored.readOnce();
      expect(once).toEqual(stored.record());
      expect(once).not.toBe(stored.record());
      expect(Object.isFrozen(once)).toBe(false);
    }
    const store = result.content as ContentStore;
    expect(store.readOnce('no-such-file.md')).toBeUndefined();
  });
  it('should parse again only the files whose size or modification time changed, and drop deleted ones', async () => {
    const directory = createTempCorpus({
      'a.md': '---\ntitle: "First"\n---\n',
      'b.md': '---\ntitle: "Second"\n---\n',
      'c.md': '---\ntitle: "Third"\n---\n',
      'd.md': '---\ntitle: "Fourth"\n---\n',
    });
    const cacheDir = createTempDirectory('newsgraph-store-');
    await loadWithStore(directory, cacheDir);
    writeFileSync(path.join(directory, 'a.md'), '---\ntitle: "First, edited"\n---\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(directory, 'b.md'), later, later);
    writeFileSync(path.join(directory, 'd.md'), '---\nno title here: true\n---\n');
    rmSync(path.join(directory, 'c.md'));
    writeFileSync(path.join(directory, 'e.md'), '---\ntitle: "Fifth"\n---\n');
    const next = await loadWithStore(directory, cacheDir);
    expect(next.result.store).toMatchObject({ reused: 0, parsed: 4, removed: 1 });
    expect(next.result.corpus.preview.articles.map((article) => article.title).sort()).toEqual(['Fifth', 'First, edited', 'Second']);
    expect(next.result.corpus.diagnostics.map((diagnostic) => [diagnostic.file, diagnostic.field])).toEqual([['d.md', 'title']]);
    const again = await loadWithStore(directory, cacheDir);
    expect(again.result.store).toMatchObject({ reused: 4, parsed: 0, removed: 0 });
    expect(servedContent(again.result)).toEqual(servedContent(next.result));
  });

  it('should write every key of a large load sorted after its entries, and rebuild a key index a load left incomplete', async () => {
    // Past the size from which parse threads defer their keys: shared and near URL keys, related
    // links in and out of the corpus, and slugs taken twice.
    const files: Record<string, string> = {};
    for (let index = 0; index < 2400; index++) {
      const url = index % 3 === 0 ? `https://example.org/${index % 2000}?ref=feed` : `https://example.org/${index % 2000}`;
      files[`${index < 20 ? 'dup' : 'main'}/a${index % 2380}.md`] =
        `---
title: "Article ${index}"
webUrl: ${url}
related:
  - title: "Next"
    webUrl: https://example.org/${index + 1}
` +
        `  - title: "Elsewhere"
    webUrl: https://other.example/${index % 50}?utm_source=x
---
Body ${index}.
`;
    }
    const directory = createTempCorpus(files);
    /** Every key pair the store's index must hold: those of each file's entry in a load without a store. */
    const expectedKeys = async () => {
      const inHeap = await loadCorpus(directory);
      const pairs = new Set<string>();
      for (const relativePath of Object.keys(files)) {
        for (const [kind, keys] of keysOfSummary(inHeap.content.entry(relativePath)?.summary ?? null)) {
          for (const key of keys) pairs.add(`${kind}\0${key}\t${relativePath}`);
        }
      }
      return pairs;
    };
    const expected = await expectedKeys();
    const keyPairs = async (directory: string) => {
      const env = open({ path: directory, maxDbs: 5 });
      const pairs = new Set<string>();
      for (const { key, value } of env.openDB<string, string>({ name: 'keys', encoding: 'string', dupSort: true }).getRange()) {
        pairs.add(`${key}\t${value}`);
      }
      await env.close();
      return pairs;
    };
    const cacheDir = createTempDirectory('newsgraph-store-');
    const cold = await loadWithStore(directory, cacheDir);
    expect(cold.result.store).toMatchObject({ parsed: 2400, snapshot: 'written' });
    expect(await keyPairs(cold.result.store.directory!)).toEqual(expected);
    expect(expected.size).toBeGreaterThan(2400 * 4);

    // A load cut short between its entries and its keys: the index is marked incomplete, and wrong.
    const env = open({ path: cold.result.store.directory!, maxDbs: 5 });
    const keys = env.openDB<string, string>({ name: 'keys', encoding: 'string', dupSort: true });
    await env.openDB({ name: 'meta' }).put('key index', { complete: false });
    await keys.put('url\0https://example.org/stray', 'main/a100.md');
    await keys.remove('slug\0a100', 'main/a100.md');
    await env.close();
    const next = await loadWithStore(directory, cacheDir);
    expect(next.result.store).toMatchObject({ reused: 2400, parsed: 0, snapshot: 'written' });
    expect(await keyPairs(next.result.store.directory!)).toEqual(expected);
    expect((await loadWithStore(directory, cacheDir)).result.store.snapshot).toBe('restored');

    // Many files changed since: their old keys go, their new ones come, all deferred.
    const later = new Date(Date.now() + 5000);
    for (const relativePath of Object.keys(files).slice(0, 2100)) {
      files[relativePath] = files[relativePath]!.replace('https://example.org/', 'https://changed.example/');
      writeFileSync(path.join(directory, relativePath), files[relativePath]!);
      utimesSync(path.join(directory, relativePath), later, later);
    }
    const changed = await loadWithStore(directory, cacheDir);
    expect(changed.result.store).toMatchObject({ reused: 300, parsed: 2100 });
    const expectedAfter = await expectedKeys();
    expect(expectedAfter).not.toEqual(expected);
    expect(await keyPairs(changed.result.store.directory!)).toEqual(expectedAfter);
    expect([cold.problems, next.problems, changed.problems]).toEqual([[], [], []]);
  });

  it('should keep a separate store for other settings, which read the same files differently', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const plain = await loadWithStore(CONTENT_DIR, cacheDir);
    const withSite = await loadWithStore(CONTENT_DIR, cacheDir, { siteUrl: 'https://example.org' });
    expect(withSite.result.store.directory).not.toBe(plain.result.store.directory);
    expect(withSite.result.store.reused).toBe(0);
  });

  it('should name the store by content directory and settings under the cache directory', () => {
    expect(storeDirectory('/cache', '/content', { siteUrl: null })).toMatch(/^\/cache\/store-[0-9a-f]{16}$/);
    expect(storeDirectory('/cache', '/content', { siteUrl: null })).toBe(storeDirectory('/cache', '/content', { siteUrl: null }));
    expect(storeDirectory('/cache', '/other', { siteUrl: null })).not.toBe(storeDirectory('/cache', '/content', { siteUrl: null }));
  });
});

describe('a store that cannot be trusted', () => {
  it.each([
    [
      'a data file of something else',
      (file: string) => writeFileSync(file, '---\ntitle: "Not a store"\n---\n'.repeat(500)),
      /it is not a readable LMDB store: |checking it crashed a process \(SIG[A-Z]+\): it is corrupt/,
    ],
    [
      'a cut-short data file',
      (file: string) => truncateSync(file, statSync(file).size >> 1),
      /its data file is cut short \(\d+ of \d+ bytes\)/,
    ],
    [
      'overwritten header pages',
      (file: string) => {
        const descriptor = openSync(file, 'r+');
        writeSync(descriptor, Buffer.alloc(8192, 0x41), 0, 8192, 0);
        closeSync(descriptor);
      },
      /it is not a readable LMDB store: |checking it crashed a process \(SIG[A-Z]+\): it is corrupt/,
    ],
    [
      'an empty data file',
      (file: string) => writeFileSync(file, ''),
      /it is not a readable LMDB store: |checking it crashed a process \(SIG[A-Z]+\): it is corrupt/,
    ],
  ])('should set %s aside with one message, rebuild it, and serve as without a store', async (_name, damage, reason) => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const first = await loadWithStore(CONTENT_DIR, cacheDir);
    damage(dataFile(first.result));
    const second = await loadWithStore(CONTENT_DIR, cacheDir);
    const directory = first.result.store.directory!;
    expect(second.problems).toHaveLength(1);
    expect(second.problems[0]).toMatch(
      new RegExp(
        `^the content store ${escapeRegExp(directory)} is not used because (${reason.source}).*; it was moved to ${escapeRegExp(directory)}\\.bad and is rebuilt$`,
      ),
    );
    expect(existsSync(`${directory}.bad`)).toBe(true);
    expect(second.result.store).toMatchObject({ directory, reused: 0, parsed: 32 });
    expect(servedContent(second.result)).toEqual(servedContent(first.result));
    const third = await loadWithStore(CONTENT_DIR, cacheDir);
    expect([third.problems, third.result.store.reused]).toEqual([[], 32]);
  });

  it('should empty a store written by another version of the loader, with one message, and rebuild it', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const first = await loadWithStore(CONTENT_DIR, cacheDir);
    const directory = first.result.store.directory!;
    await stampStore(directory, { format: 1, loader: 'another version' });
    const second = await loadWithStore(CONTENT_DIR, cacheDir);
    expect(second.problems).toEqual([`the content store ${directory} was written by another version of the loader; it is rebuilt`]);
    expect(second.result.store).toMatchObject({ reused: 0, parsed: 32 });
    expect(servedContent(second.result)).toEqual(servedContent(first.result));
  });

  it('should set aside a store whose file entries are not what this loader writes', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const first = await loadWithStore(CONTENT_DIR, cacheDir);
    const directory = first.result.store.directory!;
    await putFileEntry(directory, 'zz.md', '{"size": "large"}');
    const second = await loadWithStore(CONTENT_DIR, cacheDir);
    expect(second.problems).toEqual([
      `the content store ${directory} is not used because its entry for zz.md is not one this loader writes; it was moved to ${directory}.bad and is rebuilt`,
    ]);
    expect(second.result.store).toMatchObject({ reused: 0, parsed: 32 });
    expect(servedContent(second.result)).toEqual(servedContent(first.result));
  });

  it('should build the corpus from the file entries when the corpus snapshot is damaged, with one message, and write it again', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const first = await loadWithStore(CONTENT_DIR, cacheDir);
    const directory = first.result.store.directory!;
    await damageSnapshot(directory);
    const second = await loadWithStore(CONTENT_DIR, cacheDir);
    expect(second.problems).toEqual([
      `the corpus snapshot in ${directory} is not used because its checksum does not match; the corpus is built from the file entries`,
    ]);
    expect(second.result.store).toMatchObject({ reused: 32, parsed: 0, snapshot: 'written' });
    expect(servedContent(second.result)).toEqual(servedContent(first.result));
    const third = await loadWithStore(CONTENT_DIR, cacheDir);
    expect([third.problems, third.result.store.snapshot]).toEqual([[], 'restored']);
  });

  it.each([
    [
      'cannot be decoded',
      'it cannot be decoded',
      (records: ReturnType<typeof recordsOf>, key: string) => records.put(key, Buffer.from([0xd4, 0xff])),
    ],
    ['is missing', 'it is missing', (records: ReturnType<typeof recordsOf>, key: string) => records.remove(key)],
  ])('should read a record that %s from its file instead, and say so once', async (_name, reason, damage) => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const first = await loadWithStore(CONTENT_DIR, cacheDir);
    const inHeap = (await loadCorpus(CONTENT_DIR)).corpus.preview;
    const victim = first.result.corpus.preview.articles.find((article) => article.related.length > 0)!;
    const env = open({ path: first.result.store.directory!, maxDbs: 4 });
    await damage(recordsOf(env), victim.sourcePath);
    await env.close();
    const second = await loadWithStore(CONTENT_DIR, cacheDir);
    const article = second.result.corpus.preview.articleBySlug(victim.slug)!;
    expect(recordOf(article)).toEqual(recordOf(inHeap.articleBySlug(victim.slug)!));
    expect(article.body).toBe(inHeap.articleBySlug(victim.slug)!.body);
    expect(second.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^the record of ${escapeRegExp(victim.sourcePath)} in the content store is not used because ${reason}.*; it was read from the file instead$`,
        ),
      ),
    ]);
  });

  it('should let two processes load on the same cache directory at once, and a third reuse every file', async () => {
    const cacheDir = createTempDirectory('newsgraph-store-');
    const directory = createTempCorpus(
      Object.fromEntries(
        Array.from({ length: 3000 }, (_, index) => [
          `a${index}.md`,
          `---\ntitle: "Article ${index}"\npublishedDateTime: 2024-01-01T00:00:00Z\nwebUrl: https://example.org/${index}\n` +
            `related:\n  - title: "Next"\n    webUrl: https://example.org/${index + 1}\n---\nBody ${index}.\n`,
        ]),
      ),
    );
    const script = path.join(createTempDirectory(), 'load.mts');
    writeFileSync(
      script,
      `import { loadCorpus } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/content/load.ts'))};\n` +
        `const { corpus, store } = await loadCorpus(${JSON.stringify(directory)}, { cacheDir: ${JSON.stringify(cacheDir)}, onStoreProblem: (m) => console.error(m) });\n` +
        'const bodies = corpus.preview.articles.map((article) => article.body).join("");\n' +
        'process.stdout.write(JSON.stringify({ articles: corpus.preview.stats.articles, resolved: corpus.preview.stats.relatedResolved, bodies: bodies.length, parsed: store.parsed, reused: store.reused }));\n',
    );
    const tsx = path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs');
    const run = () => promisify(execFile)(process.execPath, [tsx, script], { cwd: PROJECT_ROOT });
    const [one, two] = await Promise.all([run(), run()]);
    const expected = {
      articles: 3000,
      resolved: 2999,
      bodies: [...Array(3000).keys()].reduce((sum, index) => sum + `Body ${index}.\n`.length, 0),
    };
    for (const result of [one, two]) {
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject(expected);
    }
    const third = await run();
    expect(JSON.parse(third.stdout)).toEqual({ ...expected, parsed: 0, reused: 3000 });
  });
});

/** The records database of an open store, its values as raw bytes. */
function recordsOf(env: ReturnType<typeof open>) {
  return env.openDB<Buffer, string>({ name: 'records', encoding: 'binary' });
}

/** Writes a version stamp into a store, as another loader would have. */
async function stampStore(directory: string, stamp: unknown): Promise<void> {
  const env = open({ path: directory, maxDbs: 4 });
  await env.openDB({ name: 'meta' }).put('version', stamp);
  await env.close();
}

/** Writes a raw file entry into a store, and removes the corpus snapshot so that the next load reads the entries. */
async function putFileEntry(directory: string, relativePath: string, text: string): Promise<void> {
  const env = open({ path: directory, maxDbs: 4 });
  await env.openDB({ name: 'files', encoding: 'string' }).put(relativePath, text);
  await env.openDB({ name: 'snapshot', encoding: 'binary' }).remove('corpus');
  await env.close();
}

/** Flips a byte in the middle of a store's corpus snapshot. */
async function damageSnapshot(directory: string): Promise<void> {
  const env = open({ path: directory, maxDbs: 4 });
  const snapshots = env.openDB<Buffer, string>({ name: 'snapshot', encoding: 'binary' });
  const bytes = Buffer.from(snapshots.get('corpus')!);
  const middle = bytes.length >> 1;
  bytes[middle] = bytes[middle]! ^ 0xff;
  await snapshots.put('corpus', bytes);
  await env.close();
}
