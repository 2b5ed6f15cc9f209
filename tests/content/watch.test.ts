import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Corpus } from '../../src/content/corpus.js';
import type { ApplyResult, LiveCorpus } from '../../src/content/live.js';
import { loadCorpus } from '../../src/content/load.js';
import type { CorpusUpdate } from '../../src/content/update.js';
import { ContentWatcher } from '../../src/content/watch.js';
import { CONTENT_DIR, createTempDirectory, liveContentCopy, servedContent } from '../support.js';

const watchers: ContentWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
});

/**
 * A copy of the sample content served live and watched as `mode` says, with everything it reports;
 * `unwatched` changes the copy after its load and before the watching starts, unreported.
 */
async function watchedCopy(mode: 'events' | 'poll', settleMs?: number, unwatched?: (root: string) => void) {
  const { root, live } = await liveContentCopy({ withStore: true, settleMs: settleMs ?? 'default' });
  unwatched?.(root);
  const warnings: string[] = [];
  const applied: ApplyResult[] = [];
  const updates: CorpusUpdate[] = [];
  live.subscribe((update) => updates.push(update));
  const watcher = await ContentWatcher.start(root, mode, {
    onWarning: (message) => warnings.push(message),
    onApplied: (result) => applied.push(result),
  });
  watchers.push(watcher);
  watcher.attach(live);
  return { root, live, watcher, warnings, applied, updates, names: readdirSync(root).sort() };
}

/** Resolves once `condition` holds for the live corpus; fails after `timeoutMs`. */
async function until(live: LiveCorpus, condition: (corpus: Corpus) => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition(live.current)) {
    if (Date.now() > deadline) throw new Error(`the live corpus did not change as expected within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Expects the live corpus to serve exactly what a fresh load of its directory serves. */
async function expectSameAsFreshLoad(root: string, live: LiveCorpus) {
  const fresh = await loadCorpus(root);
  const { views, diagnostics } = servedContent({ corpus: live.current });
  const expected = servedContent(fresh);
  expect({ diagnostics, views: views.map(({ maxima: _m, ...view }) => view) }).toEqual({
    diagnostics: expected.diagnostics,
    views: expected.views.map(({ maxima: _m, ...view }) => view),
  });
}

const slugOf = (name: string) => name.slice(0, -'.md'.length);
const titled = (text: string, title: string) => text.replace(/^title:.*$/m, `title: ${JSON.stringify(title)}`);
const has = (slug: string) => (corpus: Corpus) => corpus.preview.articleBySlug(slug) !== undefined;
const lacks = (slug: string) => (corpus: Corpus) => corpus.preview.articleBySlug(slug) === undefined;

describe('watching a content directory with file events', () => {
  it('should serve an edit, an atomic save, a rename, and a file moved in and out', async () => {
    const { root, live, names, warnings } = await watchedCopy('events');
    const [first, second, third] = names as [string, string, string];
    const file = (name: string) => path.join(root, name);

    writeFileSync(file(first), titled(readFileSync(file(first), 'utf8'), 'Edited in place'));
    await until(live, (corpus) => corpus.preview.articleBySlug(slugOf(first))?.title === 'Edited in place');

    // An editor's atomic save: a hidden temporary file, renamed over the article.
    writeFileSync(file(`.${second}.swp`), titled(readFileSync(file(second), 'utf8'), 'Saved atomically'));
    renameSync(file(`.${second}.swp`), file(second));
    await until(live, (corpus) => corpus.preview.articleBySlug(slugOf(second))?.title === 'Saved atomically');

    renameSync(file(third), file('renamed-article.md'));
    await until(live, (corpus) => has('renamed-article')(corpus) && lacks(slugOf(third))(corpus));

    const outside = createTempDirectory('newsgraph-outside-');
    renameSync(file('renamed-article.md'), path.join(outside, 'away.md'));
    await until(live, lacks('renamed-article'));
    renameSync(path.join(outside, 'away.md'), file('back-again.md'));
    await until(live, has('back-again'));

    await expectSameAsFreshLoad(root, live);
    expect(warnings).toEqual([]);
  });

  it('should serve a folder added, filled, moved in, and removed', async () => {
    const { root, live, names } = await watchedCopy('events');
    const source = readFileSync(path.join(root, names[0]!), 'utf8');

    mkdirSync(path.join(root, '2026/12'), { recursive: true });
    writeFileSync(path.join(root, '2026/12/in-a-new-folder.md'), titled(source, 'In a new folder').replace(/^webUrl:.*$/m, ''));
    await until(live, has('in-a-new-folder'));

    // A folder prepared elsewhere and moved in at once: its files arrive without events of their own.
    const prepared = createTempDirectory('newsgraph-prepared-');
    for (const name of ['moved-in-one.md', 'moved-in-two.md']) writeFileSync(path.join(prepared, name), titled(source, name));
    renameSync(prepared, path.join(root, 'moved'));
    await until(live, (corpus) => has('moved-in-one')(corpus) && has('moved-in-two')(corpus));

    rmSync(path.join(root, '2026'), { recursive: true });
    await until(live, lacks('in-a-new-folder'));
    renameSync(path.join(root, 'moved'), path.join(createTempDirectory('newsgraph-away-'), 'moved'));
    await until(live, (corpus) => lacks('moved-in-one')(corpus) && lacks('moved-in-two')(corpus));

    await expectSameAsFreshLoad(root, live);
  });

  it('should coalesce a burst of rewrites into few updates', async () => {
    const { root, live, names, applied } = await watchedCopy('events');
    const texts = new Map(names.map((name) => [name, readFileSync(path.join(root, name), 'utf8')]));
    // Like a checkout: every file rewritten, 40 times over, as fast as the disk takes it.
    for (let round = 1; round <= 40; round++) {
      for (const name of names) writeFileSync(path.join(root, name), titled(texts.get(name)!, `Round ${round} of ${name}`));
    }
    await until(live, (corpus) => names.every((name) => corpus.preview.articleBySlug(slugOf(name))?.title === `Round 40 of ${name}`));
    expect(applied.length).toBeLessThan((names.length * 40) / 10);
    await expectSameAsFreshLoad(root, live);
  });

  it('should read a burst of hundreds of files arriving in slices in few updates, once the events pause, and miss none', async () => {
    const { root, live, applied } = await watchedCopy('events');
    const text = readFileSync(path.join(CONTENT_DIR, readdirSync(CONTENT_DIR).find((name) => name.endsWith('.md'))!), 'utf8');
    // Five slices of 300 new files, 60 ms apart: each slice alone is worth an update of its own.
    const added: string[] = [];
    for (let slice = 0; slice < 5; slice++) {
      if (slice > 0) await new Promise((resolve) => setTimeout(resolve, 60));
      for (let index = 0; index < 300; index++) {
        const name = `burst-${slice}-${index}.md`;
        writeFileSync(path.join(root, name), titled(text, `Burst ${slice} ${index}`));
        added.push(slugOf(name));
      }
    }
    await until(live, (corpus) => added.every((slug) => corpus.preview.articleBySlug(slug) !== undefined), 15_000);
    // One small update for the first events, then one for the rest, and at most one more from
    // reading the burst's folder again (for changes the event source missed).
    expect(applied.filter((result) => result.update !== null).length).toBeLessThanOrEqual(3);
    await expectSameAsFreshLoad(root, live);
  });

  it('should not publish a file while it is being written', async () => {
    const { root, live, names, updates } = await watchedCopy('events', 200);
    const text = titled(readFileSync(path.join(root, names[0]!), 'utf8'), 'Written slowly');
    const target = path.join(root, 'written-slowly.md');
    const descriptor = openSync(target, 'w');
    // Forty pieces, 10 ms apart: every state but the last is a broken file (no closing front-matter fence).
    const pieces = 40;
    const size = Math.ceil(text.length / pieces);
    for (let piece = 0; piece < pieces; piece++) {
      writeSync(descriptor, text.slice(piece * size, (piece + 1) * size));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    closeSync(descriptor);
    await until(live, has('written-slowly'));
    const published = updates.flatMap((update) => update.problems).filter((diagnostic) => diagnostic.file === 'written-slowly.md');
    expect(published).toEqual([]);
    expect(live.current.preview.articleBySlug('written-slowly')?.title).toBe('Written slowly');
  });

  it('should keep serving the last valid version of a file broken by an edit, and report it', async () => {
    const { root, live, names } = await watchedCopy('events');
    const name = names[0]!;
    const title = live.current.preview.articleBySlug(slugOf(name))!.title;
    writeFileSync(path.join(root, name), '---\ntitle: [unclosed\n---\n');
    await until(live, (corpus) => corpus.diagnostics.some((diagnostic) => diagnostic.file === name));
    expect(live.current.preview.articleBySlug(slugOf(name))?.title).toBe(title);
    expect(live.current.diagnostics.filter((diagnostic) => diagnostic.file === name).map((diagnostic) => diagnostic.message)).toContain(
      'the file no longer holds a valid article; its last valid version is served until it is fixed',
    );
    rmSync(path.join(root, name));
    await until(live, lacks(slugOf(name)));
    expect(live.current.diagnostics.filter((diagnostic) => diagnostic.file === name)).toEqual([]);
  });

  it('should notice a file deleted, created again and renamed away within one coalescing window of the event source', async () => {
    const { root, live, names } = await watchedCopy('events');
    const text = readFileSync(path.join(root, names[0]!), 'utf8');
    let current = slugOf(names[0]!);
    for (let round = 1; round <= 3; round++) {
      // After a quiet spell the event source reports the deletion at once; the file comes back
      // before it is read, and is renamed away while the events of the two are still coalesced.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const file = path.join(root, `${current}.md`);
      rmSync(file);
      writeFileSync(file, text);
      await new Promise((resolve) => setTimeout(resolve, 45));
      const next = `renamed-${round}`;
      renameSync(file, path.join(root, `${next}.md`));
      const previous = current;
      await until(live, (corpus) => has(next)(corpus) && lacks(previous)(corpus));
      current = next;
    }
    await expectSameAsFreshLoad(root, live);
  });

  it('should find a file whose creation went unreported once another file of its folder is removed', async () => {
    // The event source can lose one half of a rename (parcel-bundler/watcher#183): here the
    // creation was never reported, as it happened before the watching began.
    let lost = '';
    const { root, live } = await watchedCopy('events', undefined, (root) => {
      const [first] = readdirSync(root).sort();
      lost = `lost-${first}`;
      writeFileSync(path.join(root, lost), titled(readFileSync(path.join(root, first!), 'utf8'), 'Created unreported'));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.current.preview.articleBySlug(slugOf(lost))).toBeUndefined();
    // The lost file's original, as a rename would remove it.
    rmSync(path.join(root, lost.slice('lost-'.length)));
    await until(live, has(slugOf(lost)));
    expect(live.current.preview.articleBySlug(slugOf(lost))?.title).toBe('Created unreported');
    await expectSameAsFreshLoad(root, live);
  });

  it('should read everything again on a rescan, and stop hearing events once closed', async () => {
    const { root, live, watcher, names } = await watchedCopy('events');
    await watcher.close();
    writeFileSync(path.join(root, names[0]!), titled(readFileSync(path.join(root, names[0]!), 'utf8'), 'Seen by the rescan'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(live.current.preview.articleBySlug(slugOf(names[0]!))?.title).not.toBe('Seen by the rescan');
    await live.apply(['']);
    expect(live.current.preview.articleBySlug(slugOf(names[0]!))?.title).toBe('Seen by the rescan');
  });
});

describe('polling a content directory', () => {
  it('should serve changes found by a periodic rescan', async () => {
    const { root, live, names, watcher } = await watchedCopy('poll');
    expect(watcher.mode).toBe('poll');
    writeFileSync(path.join(root, names[0]!), titled(readFileSync(path.join(root, names[0]!), 'utf8'), 'Found by a poll'));
    rmSync(path.join(root, names[1]!));
    await until(
      live,
      (corpus) => corpus.preview.articleBySlug(slugOf(names[0]!))?.title === 'Found by a poll' && lacks(slugOf(names[1]!))(corpus),
    );
    await expectSameAsFreshLoad(root, live);
  });

  it('should poll, with a warning, when file events cannot be had', async () => {
    const warnings: string[] = [];
    const missing = path.join(createTempDirectory(), 'not-there');
    const watcher = await ContentWatcher.start(missing, 'events', { onWarning: (message) => warnings.push(message) });
    watchers.push(watcher);
    expect(watcher.mode).toBe('poll');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^watching ${missing} for changes failed \\(.+\\); polling it instead$`));
  });
});
