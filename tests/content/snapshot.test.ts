import v8 from 'node:v8';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/content/load.js';
import {
  type CorpusSnapshot,
  decodeSnapshot,
  encodeCorpusYielding,
  encodeSnapshot,
  restoreCorpus,
  snapshotCorpus,
} from '../../src/content/snapshot.js';
import { CONTENT_DIR } from '../support.js';

/** A snapshot-shaped value with arrays long enough to be written in slices (150,001 and 60,000 items). */
function longSnapshot(): CorpusSnapshot {
  const slugs = Array.from({ length: 150_001 }, (_, at) => `article-${at}`);
  return {
    fingerprint: 'f'.repeat(64),
    diagnostics: Array.from({ length: 60_000 }, (_, at) => ({ file: `${at}.md`, field: null, severity: 'warning', message: `m${at}` })),
    articles: { slug: slugs, title: slugs.map((slug) => `“${slug}”`), heat: new Float64Array([1.5, Number.NaN]) },
    urlKeys: ['short', 'list'],
    views: { preview: { tallies: { topicNames: new Map([['ai', new Map([['AI', 2]])]]) } } },
  } as unknown as CorpusSnapshot;
}

describe('corpus snapshots', () => {
  it('should decode what it encodes, long arrays written in slices included', () => {
    const snapshot = longSnapshot();
    const decoded = decodeSnapshot(encodeSnapshot(snapshot));
    expect(decoded).toEqual({ snapshot });
  });

  it('should encode the same bytes yielding as at once, and restore the corpus it was made of', async () => {
    const { corpus } = await loadCorpus(CONTENT_DIR);
    const fingerprint = 'a'.repeat(64);
    const yielding = await encodeCorpusYielding(corpus, fingerprint);
    expect(yielding.equals(encodeSnapshot(snapshotCorpus(corpus, fingerprint)))).toBe(true);
    const decoded = decodeSnapshot(yielding);
    if (!('snapshot' in decoded)) throw new Error(decoded.problem);
    const restored = restoreCorpus(decoded.snapshot, { record: () => undefined });
    expect(restored.preview.articles.map((article) => article.slug)).toEqual(corpus.preview.articles.map((article) => article.slug));
    expect(restored.public.stats).toEqual(corpus.public.stats);
  });

  it('should say why it cannot decode a snapshot whose checksum or slices do not match', () => {
    const bytes = encodeSnapshot(longSnapshot());
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 10]! ^= 1;
    expect(decodeSnapshot(flipped)).toEqual({ problem: 'its checksum does not match' });
    // A valid checksum over a snapshot cut after its first slice.
    const serializer = new v8.DefaultSerializer();
    serializer.writeRawBytes(Buffer.alloc(4));
    serializer.writeHeader();
    serializer.writeValue({ fingerprint: 'f', articles: { slug: { 'snapshot: sliced': 150_001 } } });
    serializer.writeValue(['only one slice']);
    const cut = serializer.releaseBuffer();
    cut.writeUInt32LE(crc32(cut.subarray(4)), 0);
    expect(decodeSnapshot(cut)).toEqual({ problem: expect.stringMatching(/^it cannot be decoded \(/) });
  });
});
