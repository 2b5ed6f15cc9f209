import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/generate.js';
import type { Corpus } from '../../src/content/corpus.js';
import { DEFAULT_FRONT_MATTER_LIMITS } from '../../src/content/front-matter.js';
import { LiveCorpus } from '../../src/content/live.js';
import { DEFAULT_MAX_FILE_BYTES, loadCorpus } from '../../src/content/load.js';
import type { CorpusView } from '../../src/content/view.js';
import { CONTENT_DIR, createTempDirectory, FIXTURES, PROJECT_ROOT, requireSharedCorpus, SAMPLE_CORPUS, servedContent } from '../support.js';

const sharedCorpus = requireSharedCorpus();

/** Everything a corpus serves, lookups included; list maxima left out (an update only grows them). */
function served(corpus: Corpus) {
  const content = servedContent({ corpus });
  const lookups = (view: CorpusView) => ({
    relatedFrom: view.articles.map((article) => view.relatedFrom(article).map((source) => source.slug)),
    byUrl: view.articles.flatMap((article) =>
      [article.webUrl, article.originalUrl, article.ampWebUrl, ...article.related.map((entry) => entry.webUrl)].map(
        (url) => url !== null && view.articleByUrl(url)?.slug,
      ),
    ),
    providers: view.providers.map((provider) => view.providerByDomain(provider.domain) === provider),
    topics: view.topics.map((topic) => view.topicBySlug(topic.slug) === topic),
  });
  return {
    diagnostics: content.diagnostics,
    views: content.views.map(({ maxima: _maxima, ...view }) => view),
    lookups: [lookups(corpus.public), lookups(corpus.preview)],
  };
}

/** How a live corpus starts: loaded into a new content store, restored from one, or on the heap. */
type Start = 'stored' | 'restored' | 'heap';

/** A copy of a content directory, loaded as `start` says, as a live corpus. */
async function liveCopy(source: string, start: Start) {
  const root = createTempDirectory('newsgraph-live-');
  cpSync(source, root, { recursive: true });
  const cacheDir = start === 'heap' ? null : createTempDirectory('newsgraph-live-cache-');
  if (start === 'restored') await loadCorpus(root, { cacheDir });
  const loaded = await loadCorpus(root, { cacheDir });
  expect(loaded.store.snapshot).toBe(start === 'restored' ? 'restored' : start === 'stored' ? 'written' : 'none');
  const live = new LiveCorpus(loaded.corpus, loaded.content, {
    root,
    maxFileBytes: DEFAULT_MAX_FILE_BYTES,
    parseSettings: { siteUrl: null, frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS },
  });
  return { root, live, cacheDir };
}

/** Expects the live corpus to serve exactly what a fresh load of its directory serves. */
async function expectSameAsFreshLoad(root: string, live: LiveCorpus) {
  const fresh = await loadCorpus(root);
  expect(served(live.current)).toEqual(served(fresh.corpus));
}

/** The front matter's top-level `field: value` line replaced (or added). */
function withField(text: string, field: string, value: string): string {
  const line = new RegExp(`^${field}:.*$`, 'm');
  return line.test(text) ? text.replace(line, `${field}: ${value}`) : text.replace(/^---\n/, `---\n${field}: ${value}\n`);
}

const files = (root: string) => readdirSync(root).filter((name) => name.endsWith('.md'));

/** tests/fixtures/near-urls: source.md's related entries resolve exactly, nearly, ambiguously or not at all. */
const NEAR_FIXTURE = path.join(FIXTURES, 'near-urls');

/** A content file with this front matter (one `key: value` per line). */
const article = (fields: Record<string, string>) =>
  `---\n${Object.entries(fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n---\nBody.\n`;

/** The slugs source.md's related entries resolve to in each view of a corpus. */
function sourceTargets(corpus: Corpus) {
  return (['public', 'preview'] as const).map((kind) =>
    corpus[kind].articlesByRelatedEntries(corpus[kind].articleBySlug('source')!.related).map((target) => target?.slug ?? null),
  );
}

/** The slugs of the articles linking to `slug` in each view (null: not in the view). */
function linkingTo(corpus: Corpus, slug: string) {
  return (['public', 'preview'] as const).map((kind) => {
    const target = corpus[kind].articleBySlug(slug);
    return target === undefined ? null : corpus[kind].relatedFrom(target).map((source) => source.slug);
  });
}

const resolvedCounts = (corpus: Corpus) => [corpus.public.stats.relatedResolved, corpus.preview.stats.relatedResolved];
const read = (root: string, name: string) => readFileSync(path.join(root, name), 'utf8');
const write = (root: string, name: string, text: string) => writeFileSync(path.join(root, name), text);

describe.each<[string, Start]>([
  ['loaded into a content store', 'stored'],
  ['restored from a content store', 'restored'],
  ['loaded on the heap', 'heap'],
])('updating a live corpus %s', (_name, withStore) => {
  it('should publish a new version with only the changed file read, equal to a fresh load', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const first = live.current;
    const [name] = files(root);
    write(root, name!, withField(read(root, name!), 'title', '"A changed title"'));
    const { update } = await live.apply([name!]);
    expect(update?.corpus.version).toBe(`${first.version}.1`);
    const slug = name!.slice(0, -3);
    const updated = [{ before: first.preview.articleBySlug(slug), after: live.current.preview.articleBySlug(slug) }];
    expect(update?.changes.preview).toEqual({ added: [], updated, removed: [] });
    expect(update?.problems).toEqual([]);
    expect(live.current.preview.articleBySlug(name!.slice(0, -3))?.title).toBe('A changed title');
    expect(first.preview.articleBySlug(name!.slice(0, -3))?.title).not.toBe('A changed title');
    await expectSameAsFreshLoad(root, live);
    // Nothing changed since: no new version.
    expect((await live.apply([name!])).update).toBeNull();
    expect(live.current.version).toBe(`${first.version}.1`);
  });

  it('should keep serving a version to whoever holds it, records included, after its file changes', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const held = live.current;
    const [name] = files(root);
    const slug = name!.slice(0, -3);
    const body = held.preview.articleBySlug(slug)!.body;
    write(root, name!, `${read(root, name!)}\nA new closing paragraph.\n`);
    await live.apply([name!]);
    expect(live.current.preview.articleBySlug(slug)!.body).toBe(`${body}\nA new closing paragraph.\n`);
    expect(held.preview.articleBySlug(slug)!.body).toBe(body);
  });

  it('should resolve a related link when its target appears, and drop it when the target goes', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const source = live.current.public.articles.find((article) =>
      article.related.some((entry) => entry.webUrl !== null && !live.current.public.articleByUrl(entry.webUrl)),
    );
    const entry = source!.related.find((candidate) => candidate.webUrl !== null && !live.current.public.articleByUrl(candidate.webUrl))!;
    const [template] = files(root);
    let text = withField(read(root, template!), 'webUrl', entry.webUrl!);
    for (const field of ['originalUrl', 'ampWebUrl', 'cdnAmpWebUrl']) text = text.replace(new RegExp(`^${field}:.*\\n`, 'm'), '');
    write(root, 'zz-new-target.md', text);
    await live.apply(['zz-new-target.md']);
    expect(live.current.public.articleByUrl(entry.webUrl!)?.slug).toBe('zz-new-target');
    expect(live.current.public.relatedFrom(live.current.public.articleBySlug('zz-new-target')!).map((article) => article.slug)).toContain(
      source!.slug,
    );
    await expectSameAsFreshLoad(root, live);
    rmSync(path.join(root, 'zz-new-target.md'));
    const { update } = await live.apply(['zz-new-target.md']);
    expect(update?.changes.public.removed.map((article) => article.slug)).toEqual(['zz-new-target']);
    expect(live.current.public.articleByUrl(entry.webUrl!)).toBeUndefined();
    await expectSameAsFreshLoad(root, live);
  });

  it('should hand a slug to the file that sorts first, and back when it goes', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const [name] = files(root);
    mkdirSync(path.join(root, '0-first'));
    write(root, `0-first/${name}`, withField(read(root, name!), 'title', '"The same slug, sorting first"'));
    await live.apply(['0-first']);
    expect(live.current.preview.articleBySlug(name!.slice(0, -3))?.sourcePath).toBe(`0-first/${name}`);
    expect(live.current.diagnostics.filter((diagnostic) => diagnostic.file === name)).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining(`already taken by 0-first/${name}`) }),
    ]);
    await expectSameAsFreshLoad(root, live);
    rmSync(path.join(root, '0-first'), { recursive: true });
    await live.apply(['0-first']);
    expect(live.current.preview.articleBySlug(name!.slice(0, -3))?.sourcePath).toBe(name);
    await expectSameAsFreshLoad(root, live);
  });

  it('should take a draft out of the public view in the version in which it becomes one, and back', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const name = files(root).find((file) => live.current.public.articleBySlug(file.slice(0, -3)) !== undefined)!;
    const slug = name.slice(0, -3);
    write(root, name, withField(read(root, name), 'published', 'false'));
    const { update } = await live.apply([name]);
    expect(update?.corpus.public.articleBySlug(slug)).toBeUndefined();
    expect(update?.changes.public.removed.map((article) => article.slug)).toEqual([slug]);
    expect(update?.changes.preview.updated.map(({ after }) => after.slug)).toEqual([slug]);
    await expectSameAsFreshLoad(root, live);
    write(root, name, withField(read(root, name), 'published', 'true'));
    const again = await live.apply([name]);
    expect(again.update?.changes.public.added.map((article) => article.slug)).toEqual([slug]);
    await expectSameAsFreshLoad(root, live);
  });

  it('should drop a provider with its last article, and move a URL from one file to another', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const [first, second] = files(root);
    write(
      root,
      first!,
      read(root, first!).replace(/^provider:\n(?: {2}.*\n)+/m, 'provider:\n  name: Only Once\n  domain: only-once.example\n'),
    );
    await live.apply([first!]);
    expect(
      live.current.preview
        .providerByDomain('only-once.example')
        ?.articles.toArray()
        .map((article) => article.sourcePath),
    ).toEqual([first]);
    const url = live.current.preview.articleBySlug(second!.slice(0, -3))!.webUrl!;
    write(root, first!, withField(read(root, first!), 'webUrl', url));
    await live.apply([first!]);
    await expectSameAsFreshLoad(root, live);
    rmSync(path.join(root, first!));
    await live.apply([first!]);
    expect(live.current.preview.providerByDomain('only-once.example')).toBeUndefined();
    expect(live.current.preview.articleByUrl(url)?.sourcePath).toBe(second);
    await expectSameAsFreshLoad(root, live);
  });

  it('should keep serving the last valid version of a file that turns invalid, and say why', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const [name] = files(root);
    const slug = name!.slice(0, -3);
    const before = live.current.preview.articleBySlug(slug)!;
    write(root, name!, '---\ntitle: [unclosed\n---\nbody\n');
    await live.apply([name!]);
    expect(live.current.preview.articleBySlug(slug)).toBe(before);
    expect(live.current.diagnostics.filter((diagnostic) => diagnostic.file === name).map((diagnostic) => diagnostic.severity)).toEqual([
      'error',
      'warning',
    ]);
    expect(live.current.diagnostics.find((diagnostic) => diagnostic.file === name && diagnostic.severity === 'warning')?.message).toBe(
      'the file no longer holds a valid article; its last valid version is served until it is fixed',
    );
    rmSync(path.join(root, name!));
    await live.apply([name!]);
    expect(live.current.preview.articleBySlug(slug)).toBeUndefined();
    expect(live.current.diagnostics.filter((diagnostic) => diagnostic.file === name)).toEqual([]);
    await expectSameAsFreshLoad(root, live);
  });

  it('should follow a rename and a folder moved out', async () => {
    const { root, live } = await liveCopy(CONTENT_DIR, withStore);
    const [first, second] = files(root);
    renameSync(path.join(root, first!), path.join(root, `renamed-${first}`));
    await live.apply([first!, `renamed-${first}`]);
    mkdirSync(path.join(root, 'folder'));
    renameSync(path.join(root, second!), path.join(root, 'folder', second!));
    await live.apply([second!, 'folder']);
    await expectSameAsFreshLoad(root, live);
    renameSync(path.join(root, 'folder'), path.join(createTempDirectory(), 'folder'));
    await live.apply(['folder']);
    await expectSameAsFreshLoad(root, live);
    expect(live.current.preview.articleBySlug(second!.slice(0, -3))).toBeUndefined();
  });

  it('should resolve a near link when its only target appears, drop it while a second one makes it ambiguous, and follow drafts and URL changes', async () => {
    const { root, live } = await liveCopy(NEAR_FIXTURE, withStore);
    // Entry 5 of source.md is https://news.example/nowhere?amp.
    const before = live.current;
    expect(sourceTargets(before).map((targets) => targets[5])).toEqual([null, null]);
    const [publicResolved, previewResolved] = resolvedCounts(before);

    write(
      root,
      'nowhere.md',
      article({ title: 'Nowhere', publishedDateTime: '2024-01-01T00:00:00Z', webUrl: 'https://news.example/nowhere' }),
    );
    await live.apply(['nowhere.md']);
    expect(sourceTargets(live.current).map((targets) => targets[5])).toEqual(['nowhere', 'nowhere']);
    expect(linkingTo(live.current, 'nowhere')).toEqual([['source'], ['source']]);
    expect(resolvedCounts(live.current)).toEqual([publicResolved! + 1, previewResolved! + 1]);
    await expectSameAsFreshLoad(root, live);

    const twin = { title: 'Nowhere too', publishedDateTime: '2024-01-02T00:00:00Z', webUrl: 'https://news.example/nowhere?page=1' };
    write(root, 'nowhere-too.md', article(twin));
    await live.apply(['nowhere-too.md']);
    expect(sourceTargets(live.current).map((targets) => targets[5])).toEqual([null, null]);
    expect(linkingTo(live.current, 'nowhere')).toEqual([[], []]);
    expect(linkingTo(live.current, 'nowhere-too')).toEqual([[], []]);
    expect(resolvedCounts(live.current)).toEqual([publicResolved, previewResolved]);
    await expectSameAsFreshLoad(root, live);

    // A draft is no article of the public view: publicly the entry is near one article again.
    write(root, 'nowhere-too.md', article({ ...twin, published: 'false' }));
    await live.apply(['nowhere-too.md']);
    expect(sourceTargets(live.current).map((targets) => targets[5])).toEqual(['nowhere', null]);
    expect(linkingTo(live.current, 'nowhere')).toEqual([['source'], []]);
    await expectSameAsFreshLoad(root, live);

    // Its URL moves away: near one article in both views.
    write(root, 'nowhere-too.md', article({ ...twin, published: 'false', webUrl: 'https://news.example/somewhere-else?page=1' }));
    await live.apply(['nowhere-too.md']);
    expect(sourceTargets(live.current).map((targets) => targets[5])).toEqual(['nowhere', 'nowhere']);
    await expectSameAsFreshLoad(root, live);

    rmSync(path.join(root, 'nowhere.md'));
    await live.apply(['nowhere.md']);
    expect(sourceTargets(live.current)).toEqual(sourceTargets(before));
    expect(resolvedCounts(live.current)).toEqual([publicResolved, previewResolved]);
    await expectSameAsFreshLoad(root, live);
  });

  it('should let an exact match that appears win over a near one, and the near one come back when it goes', async () => {
    const { root, live } = await liveCopy(NEAR_FIXTURE, withStore);
    // Entry 0 of source.md is https://news.example/story-one?amp;amp;amp, near target.md.
    expect(sourceTargets(live.current).map((targets) => targets[0])).toEqual(['target', 'target']);
    const damaged = { title: 'Damaged', publishedDateTime: '2024-01-01T00:00:00Z', webUrl: 'https://news.example/story-one?amp;amp;amp' };
    write(root, 'damaged.md', article(damaged));
    await live.apply(['damaged.md']);
    // Exact for entry 0; entry 1 stays exact to target (its AMP URL).
    expect(sourceTargets(live.current).map((targets) => targets.slice(0, 2))).toEqual([
      ['damaged', 'target'],
      ['damaged', 'target'],
    ]);
    expect(linkingTo(live.current, 'damaged')).toEqual([['source'], ['source']]);
    expect(linkingTo(live.current, 'target')).toEqual([['source'], ['source']]);
    await expectSameAsFreshLoad(root, live);

    // A draft: exact in preview, and publicly the entry is near target again.
    write(root, 'damaged.md', article({ ...damaged, published: 'false' }));
    await live.apply(['damaged.md']);
    expect(sourceTargets(live.current).map((targets) => targets[0])).toEqual(['target', 'damaged']);
    await expectSameAsFreshLoad(root, live);

    rmSync(path.join(root, 'damaged.md'));
    await live.apply(['damaged.md']);
    expect(sourceTargets(live.current).map((targets) => targets[0])).toEqual(['target', 'target']);
    expect(linkingTo(live.current, 'damaged')).toEqual([null, null]);
    await expectSameAsFreshLoad(root, live);
  });

  it('should resolve the near entries of a source as it appears and changes, and drop them when it goes', async () => {
    const { root, live } = await liveCopy(NEAR_FIXTURE, withStore);
    const front = (related: string) =>
      `---\ntitle: Late source\npublishedDateTime: 2024-06-01T00:00:00Z\nwebUrl: https://news.example/late\nrelated:\n` +
      `  - title: Twin\n    webUrl: ${related}\n---\nBody.\n`;
    const late = (corpus: Corpus) =>
      (['public', 'preview'] as const).map((kind) =>
        corpus[kind].articlesByRelatedEntries(corpus[kind].articleBySlug('late-source')!.related).map((target) => target?.slug ?? null),
      );
    write(root, 'late-source.md', front('https://news.example/twin?x=1'));
    await live.apply(['late-source.md']);
    // twin-a alone publicly; twin-a and the draft twin-b in preview.
    expect(late(live.current)).toEqual([['twin-a'], [null]]);
    expect(linkingTo(live.current, 'twin-a')).toEqual([['late-source', 'source'], []]);
    await expectSameAsFreshLoad(root, live);

    write(root, 'late-source.md', front('https://news.example/exact?page=2'));
    await live.apply(['late-source.md']);
    // exact.md (https://news.example/exact?amp) and exact-near.md share news.example/exact.
    expect(late(live.current)).toEqual([[null], [null]]);
    expect(linkingTo(live.current, 'twin-a')).toEqual([['source'], []]);
    await expectSameAsFreshLoad(root, live);

    write(root, 'late-source.md', front('https://news.example/amp-only?amp'));
    await live.apply(['late-source.md']);
    expect(late(live.current)).toEqual([['amp-only'], ['amp-only']]);
    await expectSameAsFreshLoad(root, live);

    rmSync(path.join(root, 'late-source.md'));
    await live.apply(['late-source.md']);
    expect(linkingTo(live.current, 'amp-only')).toEqual([[], []]);
    await expectSameAsFreshLoad(root, live);
  });

  it.skipIf(!sharedCorpus)(
    'should equal a fresh load of the real sample after a long series of random edits',
    async () => {
      const { root, live } = await liveCopy(SAMPLE_CORPUS, withStore);
      let seed = 7;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
      const relatedUrls = files(root).flatMap((name) => [...read(root, name).matchAll(/^ {4}webUrl: (.*)$/gm)].map((match) => match[1]!));
      for (let step = 0; step < 60; step++) {
        const names = files(root);
        const name = pick(names);
        const text = read(root, name);
        const changed: string[] = [name];
        switch (Math.floor(random() * 7)) {
          case 0:
            write(root, name, withField(text, 'title', `"Edited ${step}"`));
            break;
          case 1:
            write(root, name, withField(text, 'published', random() < 0.5 ? 'false' : 'true'));
            break;
          case 2:
            write(root, name, withField(text, 'webUrl', pick(relatedUrls)));
            break;
          case 3:
            rmSync(path.join(root, name));
            break;
          case 4:
            renameSync(path.join(root, name), path.join(root, `r${step}-${name}`));
            changed.push(`r${step}-${name}`);
            break;
          case 5:
            write(root, `n${step}.md`, withField(text, 'webUrl', pick(relatedUrls)));
            changed.push(`n${step}.md`);
            break;
          default:
            write(root, name, text.replace(/^ {2}name: .*$/m, `  name: Spelling ${step % 3}`));
        }
        await live.apply(changed);
        if (step % 20 === 19) await expectSameAsFreshLoad(root, live);
      }
      await expectSameAsFreshLoad(root, live);
    },
    120_000,
  );
});

describe('near matches across a restart', () => {
  it('should restore near links from the snapshot, and keep following them live from there', async () => {
    const { root, live, cacheDir } = await liveCopy(NEAR_FIXTURE, 'restored');
    const fresh = await loadCorpus(root);
    expect(served(live.current)).toEqual(served(fresh.corpus));
    expect(sourceTargets(live.current)).toEqual([
      ['target', 'target', 'twin-a', null, 'exact', null, null, null],
      ['target', 'target', null, null, 'exact', null, null, null],
    ]);
    write(root, 'twin-b.md', withField(read(root, 'twin-b.md'), 'webUrl', 'https://news.example/twin-b'));
    await live.apply(['twin-b.md']);
    expect(sourceTargets(live.current).map((targets) => targets[2])).toEqual(['twin-a', 'twin-a']);
    await expectSameAsFreshLoad(root, live);
    const restarted = await loadCorpus(root, { cacheDir });
    expect(served(restarted.corpus)).toEqual(served(live.current));
  });
});

describe('files whose events were lost', () => {
  it.each(['stored', 'heap'] as const)(
    'should name the content files of a folder that a corpus %s neither serves nor reports, and say which files an update removed',
    async (start) => {
      const source = createTempDirectory('newsgraph-live-source-');
      cpSync(CONTENT_DIR, source, { recursive: true });
      write(source, 'refused.md', '---\ntitle: [unclosed\n---\nBody.\n');
      const { root, live } = await liveCopy(source, start);
      const [first, second] = files(root);
      expect(live.current.diagnostics.map((diagnostic) => diagnostic.file)).toContain('refused.md');
      renameSync(path.join(root, first!), path.join(root, `renamed-${first}`));
      write(root, 'notes.txt', 'Not content.');
      write(root, '.hidden.md', read(root, second!));
      mkdirSync(path.join(root, 'inner'));
      write(root, 'inner/nested.md', read(root, second!));
      expect(await live.unknownIn('')).toEqual([`renamed-${first}`]);
      expect(await live.unknownIn('inner')).toEqual(['inner/nested.md']);
      expect(await live.unknownIn('missing')).toEqual([]);
      const result = await live.apply([first!, second!]);
      expect(result.removed).toEqual([first]);
      expect(await live.unknownIn('')).toEqual([`renamed-${first}`]);
      await live.apply([`renamed-${first}`]);
      expect(await live.unknownIn('')).toEqual([]);
    },
  );
});

describe('restarting after live changes', () => {
  it('should parse none of the changed files again: their entries are in the content store', async () => {
    const { root, live, cacheDir } = await liveCopy(CONTENT_DIR, 'stored');
    const [first, second] = files(root);
    write(root, first!, withField(read(root, first!), 'title', '"Changed while live"'));
    renameSync(path.join(root, second!), path.join(root, `renamed-${second}`));
    write(root, 'added-while-live.md', withField(read(root, first!), 'webUrl', 'https://example.org/added-while-live'));
    await live.apply([first!, second!, `renamed-${second}`, 'added-while-live.md']);
    const restarted = await loadCorpus(root, { cacheDir });
    expect(restarted.store).toMatchObject({ parsed: 0, reused: files(root).length });
    expect(served(restarted.corpus)).toEqual(served(live.current));
    expect(restarted.corpus.preview.articleBySlug(first!.slice(0, -3))?.title).toBe('Changed while live');
  });
});

describe('an update of thousands of files', () => {
  it('should parse them on worker threads, write them to the content store and serve what a fresh load serves', async () => {
    const source = createTempDirectory('newsgraph-large-update-source-');
    await generateCorpus({ directory: source, articles: 2_400, seed: 5 });
    const { root, live } = await liveCopy(source, 'stored');
    const changed: string[] = [];
    for (const name of readdirSync(root, { recursive: true }) as string[]) {
      if (!name.endsWith('.md')) continue;
      const file = path.join(root, name);
      writeFileSync(file, withField(readFileSync(file, 'utf8'), 'title', `"Rewritten ${changed.length}"`));
      changed.push(name);
    }
    expect(changed.length).toBe(2_400);
    const result = await live.apply(changed);
    expect(result.unsettled).toEqual([]);
    expect(live.current.preview.articles.filter((article) => article.title.startsWith('Rewritten ')).length).toBeGreaterThan(2_000);
    await expectSameAsFreshLoad(root, live);
    live.close();
  }, 60_000);
});

describe('memory after an update', () => {
  it('should keep no update alive once its caller lets go of it', async () => {
    // In a process of its own, where garbage collection can be asked for: an update holds the
    // previous version of every changed article, with its pinned record.
    const root = createTempDirectory('newsgraph-live-');
    cpSync(CONTENT_DIR, root, { recursive: true });
    const name = readdirSync(root).find((file) => file.endsWith('.md'))!;
    const script = path.join(createTempDirectory(), 'update.mts');
    const source = (module: string) => JSON.stringify(path.join(PROJECT_ROOT, 'src/content', module));
    writeFileSync(
      script,
      `import { writeFileSync, readFileSync } from 'node:fs';\n` +
        `import { DEFAULT_FRONT_MATTER_LIMITS } from ${source('front-matter.ts')};\n` +
        `import { LiveCorpus } from ${source('live.ts')};\n` +
        `import { DEFAULT_MAX_FILE_BYTES, loadCorpus } from ${source('load.ts')};\n` +
        `const root = ${JSON.stringify(root)};\n` +
        `const loaded = await loadCorpus(root, { cacheDir: ${JSON.stringify(createTempDirectory())} });\n` +
        'const live = new LiveCorpus(loaded.corpus, loaded.content, { root, maxFileBytes: DEFAULT_MAX_FILE_BYTES, settleMs: 0,' +
        ' parseSettings: { siteUrl: null, frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS } });\n' +
        `const file = root + '/' + ${JSON.stringify(name)};\n` +
        "writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: Changed'));\n" +
        `const applied = new WeakRef((await live.apply([${JSON.stringify(name)}])).update);\n` +
        'const published = applied.deref() !== undefined;\n' +
        'await new Promise((resolve) => setTimeout(resolve, 10));\n' +
        'globalThis.gc();\n' +
        'process.stdout.write(JSON.stringify({ published, collected: applied.deref() === undefined, serving: live.current.preview.index.bySlug.size > 0 }));\n',
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd: PROJECT_ROOT });
    expect(JSON.parse(stdout)).toEqual({ published: true, collected: true, serving: true });
  });
});
