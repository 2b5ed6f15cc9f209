import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type CachedFile, LOADER_VERSION, readSnapshot, snapshotPath, writeSnapshot } from '../../src/content/cache.js';
import { loadCorpus } from '../../src/content/load.js';
import { CONTENT_DIR, createTempCorpus, createTempDirectory, PROJECT_ROOT, servedContent } from '../support.js';

/** A small snapshot: two files, one with an article, one with only a diagnostic. */
function sampleEntries(): Map<string, CachedFile> {
  return new Map<string, CachedFile>([
    ['a.md', { size: 10, mtimeMs: 1_700_000_000_000.5, article: null, diagnostics: [] }],
    [
      'b.md',
      {
        size: 20,
        mtimeMs: 1_700_000_000_001,
        article: null,
        diagnostics: [
          { file: 'b.md', field: 'title', severity: 'error', message: 'expected a non-empty string, found no title; the file is skipped' },
        ],
      },
    ],
  ]);
}

function writeSample(): string {
  const file = path.join(createTempDirectory('newsgraph-cache-'), 'snapshot.bin');
  writeSnapshot(file, sampleEntries());
  return file;
}

/** The header's length: magic, format, loader version, entry count, body length, checksum. */
const HEADER_BYTES = 'NEWSGRAPH-PARSE-CACHE\n'.length + 4 + 32 + 4 + 8 + 4;

describe('writeSnapshot and readSnapshot', () => {
  it('should read back exactly what was written', () => {
    expect(readSnapshot(writeSample())).toEqual({ ok: true, entries: sampleEntries() });
  });

  it('should report a missing snapshot as missing', () => {
    expect(readSnapshot(path.join(createTempDirectory(), 'none.bin'))).toEqual({ ok: false, missing: true, reason: 'there is none' });
  });

  it.each([
    [
      'a flipped byte in the body',
      (bytes: Buffer) => bytes.fill(bytes[bytes.length - 3]! ^ 0xff, bytes.length - 3, bytes.length - 2),
      'its checksum does not match: the file is corrupt',
    ],
    ['a cut-short file', (bytes: Buffer) => bytes.subarray(0, bytes.length - 7), /^it is cut short or overlong \(\d+ of \d+ body bytes\)$/],
    ['a file of something else', () => Buffer.from('---\ntitle: "Not a cache"\n---\n'), 'it is not a Newsgraph parse cache'],
    ['an empty file', () => Buffer.alloc(0), 'it is not a Newsgraph parse cache'],
    [
      'another format',
      (bytes: Buffer) => {
        bytes.writeUInt32LE(2, 'NEWSGRAPH-PARSE-CACHE\n'.length);
        return bytes;
      },
      'it has format 2, this loader reads format 1',
    ],
    [
      'another loader version',
      (bytes: Buffer) => bytes.fill(0, 'NEWSGRAPH-PARSE-CACHE\n'.length + 4, 'NEWSGRAPH-PARSE-CACHE\n'.length + 36),
      'it was written by another version of the loader',
    ],
  ])('should refuse %s, saying why', (_case, damage: (bytes: Buffer) => Buffer, reason: string | RegExp) => {
    const file = writeSample();
    writeFileSync(file, damage(readFileSync(file)));
    const reading = readSnapshot(file);
    expect(reading).toMatchObject({ ok: false, missing: false });
    expect(reading.ok ? null : reading.reason).toMatch(reason);
  });

  it('should stamp the header with the loader version of this code', () => {
    const bytes = readFileSync(writeSample());
    expect(bytes.subarray('NEWSGRAPH-PARSE-CACHE\n'.length + 4, 'NEWSGRAPH-PARSE-CACHE\n'.length + 36).equals(LOADER_VERSION)).toBe(true);
    expect(bytes.length).toBeGreaterThan(HEADER_BYTES);
  });

  it('should leave a readable snapshot when several processes write it at the same time', async () => {
    const file = path.join(createTempDirectory('newsgraph-cache-race-'), 'snapshot.bin');
    const writer = path.join(createTempDirectory('newsgraph-cache-writer-'), 'write.ts');
    const cacheModule = path.join(PROJECT_ROOT, 'src/content/cache.ts');
    writeFileSync(
      writer,
      `import { readSnapshot, writeSnapshot } from ${JSON.stringify(cacheModule)};\n` +
        `const entries = new Map(Array.from({ length: 2000 }, (_, i) => [\`f\${i}.md\`, { size: i, mtimeMs: i, article: null, diagnostics: [] }]));\n` +
        `let bad = 0;\n` +
        `for (let round = 0; round < 40; round++) {\n` +
        `  writeSnapshot(${JSON.stringify(file)}, entries);\n` +
        `  const reading = readSnapshot(${JSON.stringify(file)});\n` +
        `  if (!reading.ok) bad++;\n` +
        `}\n` +
        `process.stdout.write(String(bad));\n`,
    );
    const tsx = path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs');
    const run = () => promisify(execFile)(process.execPath, [tsx, writer], { cwd: PROJECT_ROOT });
    const results = await Promise.all([run(), run(), run()]);
    expect(results.map((result) => result.stdout)).toEqual(['0', '0', '0']);
    const final = readSnapshot(file);
    expect(final.ok && final.entries.size).toBe(2000);
    expect(readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('loading with the parse cache', () => {
  it('should parse every file once, then reuse every one for exactly the same corpus, frozen the same way', async () => {
    const cacheDir = createTempDirectory('newsgraph-cache-dir-');
    const cold = await loadCorpus(CONTENT_DIR, { cacheDir });
    expect(cold.cache).toMatchObject({ reused: 0, parsed: 32 });
    expect(cold.cache.save()).toBe(true);
    const warm = await loadCorpus(CONTENT_DIR, { cacheDir });
    expect(warm.cache).toMatchObject({ file: cold.cache.file, reused: 32, parsed: 0 });
    expect(servedContent(warm)).toEqual(servedContent(cold));
    const article = warm.corpus.preview.articles.find((candidate) => candidate.related.length > 0 && candidate.provider !== null)!;
    for (const record of [article, article.related, article.related[0], article.provider, article.topics, article.images]) {
      expect(Object.isFrozen(record)).toBe(true);
    }
    expect(warm.cache.save()).toBe(false);
  });

  it('should parse again only the files whose size or modification time changed, and drop deleted ones', async () => {
    const directory = createTempCorpus({
      'a.md': '---\ntitle: "First"\n---\n',
      'b.md': '---\ntitle: "Second"\n---\n',
      'c.md': '---\ntitle: "Third"\n---\n',
    });
    const cacheDir = createTempDirectory('newsgraph-cache-dir-');
    (await loadCorpus(directory, { cacheDir })).cache.save();
    writeFileSync(path.join(directory, 'a.md'), '---\ntitle: "First, edited"\n---\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(directory, 'b.md'), later, later);
    const next = await loadCorpus(directory, { cacheDir });
    expect(next.cache).toMatchObject({ reused: 1, parsed: 2 });
    expect(next.corpus.preview.articles.map((article) => article.title).sort()).toEqual(['First, edited', 'Second', 'Third']);
  });

  it('should keep a separate snapshot for other settings, which read the same files differently', async () => {
    const cacheDir = createTempDirectory('newsgraph-cache-dir-');
    const plain = await loadCorpus(CONTENT_DIR, { cacheDir });
    const withSite = await loadCorpus(CONTENT_DIR, { cacheDir, siteUrl: 'https://example.org' });
    expect(withSite.cache.file).not.toBe(plain.cache.file);
  });

  it('should set a corrupt snapshot aside with one message, rebuild it, and load as without a cache', async () => {
    const cacheDir = createTempDirectory('newsgraph-cache-dir-');
    const first = await loadCorpus(CONTENT_DIR, { cacheDir });
    first.cache.save();
    const file = first.cache.file!;
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const problems: string[] = [];
    const second = await loadCorpus(CONTENT_DIR, { cacheDir, onCacheProblem: (message) => problems.push(message) });
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^the parse cache ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not used because it is cut short or overlong \\(\\d+ of \\d+ body bytes\\); it was moved to .*\\.bad and is rebuilt$`,
        ),
      ),
    ]);
    expect(existsSync(`${file}.bad`)).toBe(true);
    expect(second.cache).toMatchObject({ reused: 0, parsed: 32 });
    expect(servedContent(second)).toEqual(servedContent(first));
    expect(second.cache.save()).toBe(true);
    expect(readSnapshot(file).ok).toBe(true);
  });

  it('should name the snapshot by content directory and settings under the cache directory', () => {
    expect(snapshotPath('/cache', '/content', { siteUrl: null })).toMatch(/^\/cache\/parse-cache-[0-9a-f]{16}\.bin$/);
    expect(snapshotPath('/cache', '/content', { siteUrl: null })).toBe(snapshotPath('/cache', '/content', { siteUrl: null }));
    expect(snapshotPath('/cache', '/other', { siteUrl: null })).not.toBe(snapshotPath('/cache', '/content', { siteUrl: null }));
  });
});
