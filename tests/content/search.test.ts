import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FRONT_MATTER_LIMITS } from '../../src/content/front-matter.js';
import { highlight } from '../../src/content/highlight.js';
import { LiveCorpus } from '../../src/content/live.js';
import { DEFAULT_MAX_FILE_BYTES, loadCorpus } from '../../src/content/load.js';
import type { Article } from '../../src/content/model.js';
import { parseQuery, SearchIndex, SearchQueryError, tokenize } from '../../src/content/search.js';
import type { ContentStore } from '../../src/content/store.js';
import type { CorpusView } from '../../src/content/view.js';
import {
  CONTENT_DIR,
  corpusOf,
  createTempCorpus,
  createTempDirectory,
  liveContentCopy,
  type RawFile,
  readRawFiles,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  tiedScoresCorpus,
} from '../support.js';

/** The words of a text as the index's rules fold them: letters and digits, accents removed, lowercase. */
function words(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}\p{Co}]+/gu) ?? []
  );
}

/** Each searched field of a raw file as its words: title, excerpt, body (link targets left out), topics, provider name. */
function fieldsOf(file: RawFile): string[][] {
  const { data } = file;
  return [
    words(String(data.title ?? '')),
    words(String(data.excerpt ?? '')),
    words(file.body.replace(/\]\([^)]*\)/g, ']')),
    words((data.topics ?? []).join('\n')),
    words(String(data.provider?.name ?? '')),
  ];
}

/** The slugs of the files where every test holds, sorted. */
function expectedSlugs(files: RawFile[], test: (fields: string[][]) => boolean): string[] {
  return files
    .filter((file) => test(fieldsOf(file)))
    .map((file) => file.slug)
    .sort();
}

const hasWord = (fields: string[][], word: string) => fields.some((field) => field.includes(word));
const hasPhrase = (fields: string[][], phrase: string[]) =>
  fields.some((field) => field.some((_, at) => phrase.every((word, offset) => field[at + offset] === word)));

/** The searches of a corpus checked against the raw files: words, phrases, exclusions, prefixes and typos. */
async function checkSearches(directory: string) {
  const corpus = await corpusOf(directory);
  const index = new SearchIndex({ current: corpus });
  const raw = readRawFiles(directory);
  const published = raw.filter((file) => file.data.published !== false);
  const search = (query: string) => {
    const result = index.search(corpus.public, query);
    // Best first, ties by slug: the order cursors are positions in.
    const order = (a: Article, b: Article) =>
      result.scores.get(b)! - result.scores.get(a)! || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
    expect(result.articles.map((article) => article.slug)).toEqual([...result.articles].sort(order).map((article) => article.slug));
    return result.articles.map((article) => article.slug).sort();
  };
  // Words of the titles, by how many published files have them.
  const frequency = new Map<string, number>();
  for (const file of published) for (const word of new Set(fieldsOf(file).flat())) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const ranked = [...frequency]
    .filter(([word]) => word.length >= 6 && !/\d/.test(word))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const common = ranked[0]![0];
  const rare = ranked.find(([, count]) => count === 2)![0];
  const title = words(String(published[0]!.data.title));

  expect(search(common)).toEqual(
    expectedSlugs(published, (fields) => fields.some((field) => field.some((word) => word.startsWith(common)))),
  );
  expect(search(`${rare} `)).toEqual(expectedSlugs(published, (fields) => hasWord(fields, rare)));
  expect(search(`${common} ${rare} `)).toEqual(expectedSlugs(published, (fields) => hasWord(fields, common) && hasWord(fields, rare)));
  expect(search(`"${title[0]} ${title[1]}"`)).toEqual(expectedSlugs(published, (fields) => hasPhrase(fields, [title[0]!, title[1]!])));
  expect(search(`${common} -${rare}`)).toEqual(
    // The last word is `-rare`, so `common` is a whole word here.
    expectedSlugs(published, (fields) => hasWord(fields, common) && !hasWord(fields, rare)),
  );
  const prefix = rare.slice(0, 4);
  expect(search(prefix)).toEqual(
    expectedSlugs(published, (fields) => fields.some((field) => field.some((word) => word.startsWith(prefix)))),
  );
  // One letter changed: a word no file has, one edit from `rare` (and perhaps from others).
  const typo = `${rare.slice(0, 2)}${rare[2] === 'q' ? 'x' : 'q'}${rare.slice(3)}`;
  expect(frequency.has(typo)).toBe(false);
  const oneEdit = [...frequency.keys()].filter((word) => isOneEditAway(word, typo));
  expect(oneEdit).toContain(rare);
  expect(search(`${typo} `)).toEqual(expectedSlugs(published, (fields) => oneEdit.some((word) => hasWord(fields, word))));
  // A draft's words are not searched publicly.
  const draftOnly = [...new Set(raw.filter((file) => file.data.published === false).flatMap((file) => fieldsOf(file).flat()))].find(
    (word) => word.length > 3 && !frequency.has(word),
  );
  if (draftOnly !== undefined) {
    expect(search(`${draftOnly} `)).toEqual([]);
    expect(index.search(corpus.preview, `${draftOnly} `).articles.length).toBeGreaterThan(0);
  }
  index.close();
  return { draftOnly };
}

/** A live corpus of a directory (with a content store of its own) and a search index built on it, following its updates. */
async function liveIndex(root: string): Promise<{ live: LiveCorpus; index: SearchIndex }> {
  const loaded = await loadCorpus(root, { cacheDir: createTempDirectory() });
  const live = new LiveCorpus(loaded.corpus, loaded.content, {
    root,
    maxFileBytes: DEFAULT_MAX_FILE_BYTES,
    parseSettings: { siteUrl: null, frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS },
  });
  const index = new SearchIndex(live);
  index.prepareNow();
  return { live, index };
}

/** Whether two words are one insertion, deletion, substitution or swap of neighbours apart. */
function isOneEditAway(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  const tail = (x: string, y: string) => x.slice(start + 1) === y.slice(start + (x.length === y.length ? 1 : 0));
  if (a.length === b.length)
    return tail(a, b) || (a[start] === b[start + 1] && a[start + 1] === b[start] && a.slice(start + 2) === b.slice(start + 2));
  return a.length > b.length ? a.slice(start + 1) === b.slice(start) : b.slice(start + 1) === a.slice(start);
}

describe('parseQuery', () => {
  it('should take a query apart into words, a last-word prefix, phrases and exclusions', () => {
    expect(parseQuery('Café "Language  Models" -chatbot rob')).toEqual({
      words: [
        { word: 'cafe', prefix: false },
        { word: 'rob', prefix: true },
      ],
      phrases: [['language', 'models']],
      excluded: ['chatbot'],
    });
    expect(parseQuery('sepsis trial ').words).toEqual([
      { word: 'sepsis', prefix: false },
      { word: 'trial', prefix: false },
    ]);
    expect(parseQuery('"open source"').phrases).toEqual([['open', 'source']]);
    expect(parseQuery('-"bad news" ai').excluded).toEqual(['bad', 'news']);
  });
});

describe('highlight', () => {
  it('should mark matched words and prefixes and escape everything else', () => {
    expect(highlight('AT&T <b>sepsis</b> trials', ['sepsis', 'tri*'])).toBe(
      'AT&amp;T &lt;b&gt;<mark>sepsis</mark>&lt;/b&gt; <mark>trials</mark>',
    );
    expect(highlight('Nothing here', ['sepsis'])).toBeNull();
    expect(highlight('Crème brûlée', ['creme'])).toBe('<mark>Crème</mark> brûlée');
  });

  it('should cut a long text around the first match', () => {
    const text = Array.from({ length: 100 }, (_, at) => `w${at}`).join(' ');
    expect(highlight(text, ['w50'])).toBe(
      `…${Array.from({ length: 32 }, (_, at) => (at === 8 ? '<mark>w50</mark>' : `w${42 + at}`)).join(' ')}…`,
    );
  });
});

/** A snippet as the API documents it, every word read: the reference highlight must agree with. */
function referenceSnippet(text: string, terms: readonly string[]): string | null {
  const escaped = (part: string) =>
    part.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
  const matches = (word: string) => terms.some((term) => (term.endsWith('*') ? word.startsWith(term.slice(0, -1)) : word === term));
  const tokens = tokenize(text);
  const first = tokens.findIndex((token) => matches(token.word));
  if (first < 0) return null;
  const from = tokens.length <= 32 ? 0 : Math.max(0, Math.min(first - 8, tokens.length - 32));
  const to = Math.min(tokens.length, from + 32);
  let html = from === 0 ? '' : '…';
  let at = from === 0 ? 0 : tokens[from]!.start;
  for (const token of tokens.slice(from, to).filter((token) => matches(token.word))) {
    html += `${escaped(text.slice(at, token.start))}<mark>${escaped(text.slice(token.start, token.end))}</mark>`;
    at = token.end;
  }
  html += escaped(text.slice(at, to === tokens.length ? text.length : tokens[to - 1]!.end));
  return to === tokens.length ? html : `${html}…`;
}

describe('highlight, read only as far as the snippet', () => {
  it('should give the snippet of reading every word, in ASCII text and in any other', () => {
    const word = fc.constantFrom('sepsis', 'Sepsis', 'trial', 'trials', 'Été', 'ete', 'AT&T', 'a', '<b>', 'naïve', '中文', 'x1');
    const text = fc.array(fc.tuple(word, fc.constantFrom(' ', '\n', ', ', ' — ')), { maxLength: 90 }).map((parts) => parts.flat().join(''));
    const terms = fc.array(fc.constantFrom('sepsis', 'tri*', 'ete', 'naive', 'a*', '中文', 'x1', 'zebra'), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(text, terms, (text, terms) => {
        expect(highlight(text, terms)).toBe(referenceSnippet(text, terms));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SearchIndex over content/', () => {
  it('should find exactly the articles with every word, phrase, prefix or typo correction, never by a draft publicly', async () => {
    const { draftOnly } = await checkSearches(CONTENT_DIR);
    expect(draftOnly).toBeDefined();
  });

  it('should tell a last word typed in full from one still being typed, whichever is asked first', async () => {
    const corpus = await corpusOf(CONTENT_DIR);
    const published = readRawFiles(CONTENT_DIR).filter((file) => file.data.published !== false);
    const index = new SearchIndex({ current: corpus });
    const slugs = (query: string) =>
      index
        .search(corpus.public, query)
        .articles.map((article) => article.slug)
        .sort();
    expect(slugs('act ')).toEqual(expectedSlugs(published, (fields) => hasWord(fields, 'act')));
    expect(slugs('act')).toEqual(
      expectedSlugs(published, (fields) => fields.some((field) => field.some((word) => word.startsWith('act')))),
    );
    expect(slugs('act').length).toBeGreaterThan(slugs('act ').length);
    index.close();
  });

  it('should refuse a query with nothing to search for', async () => {
    const corpus = await corpusOf(CONTENT_DIR);
    const index = new SearchIndex({ current: corpus });
    expect(() => index.search(corpus.public, '-sepsis')).toThrow(SearchQueryError);
    expect(() => index.search(corpus.public, '?!')).toThrow('A search needs at least one word (letters or digits).');
    expect(() => index.search(corpus.public, 'ai '.repeat(33))).toThrow('A search takes at most 32 words, found 33.');
    index.close();
  });

  it('should reuse its file for the same version, and rebuild a file that is no database', async () => {
    const corpus = await corpusOf(CONTENT_DIR);
    const file = path.join(createTempDirectory(), 'search.sqlite');
    writeFileSync(file, 'not a database '.repeat(100));
    const first = new SearchIndex({ current: corpus }, file);
    expect(first.prepareNow()).toBe(true);
    const hits = first.search(corpus.public, 'sepsis').articles.map((article) => article.slug);
    first.close();
    const again = new SearchIndex({ current: corpus }, file);
    expect(again.prepareNow()).toBe(false);
    expect(again.search(corpus.public, 'sepsis').articles.map((article) => article.slug)).toEqual(hits);
    again.close();
    expect(existsSync(file)).toBe(true);
  });

  it('should follow live updates: an added, edited, drafted and deleted article', async () => {
    const root = createTempDirectory('newsgraph-search-');
    cpSync(CONTENT_DIR, root, { recursive: true });
    const { live, index } = await liveIndex(root);
    const slugs = (query: string, view: 'public' | 'preview' = 'public') =>
      index.search(live.current[view], query).articles.map((article) => article.slug);
    const write = async (title: string, published = true) => {
      writeFileSync(path.join(root, 'zebra.md'), `---\ntitle: ${title}\npublished: ${published}\n---\nBody text.\n`);
      await live.apply(['zebra.md']);
    };
    expect(slugs('quagga ')).toEqual([]);
    await write('The quagga returns');
    expect(slugs('quagga ')).toEqual(['zebra']);
    await write('The okapi returns');
    expect([slugs('quagga '), slugs('okapi ')]).toEqual([[], ['zebra']]);
    await write('The okapi returns', false);
    expect([slugs('okapi '), slugs('okapi ', 'preview')]).toEqual([[], ['zebra']]);
    await write('The okapi returns');
    expect([slugs('okapi '), slugs('okapi ', 'preview')]).toEqual([['zebra'], ['zebra']]);
    rmSync(path.join(root, 'zebra.md'));
    await live.apply(['zebra.md']);
    expect([slugs('okapi '), slugs('okapi ', 'preview')]).toEqual([[], []]);
    live.close();
  });
});

describe('merging the segments updates write', () => {
  it('should merge between updates, not inside them, and leave nothing to merge once updates pause', async () => {
    const { root, live } = await liveContentCopy();
    const file = path.join(createTempDirectory('newsgraph-search-'), 'search.sqlite');
    const index = new SearchIndex(live, file);
    index.prepareNow();
    // Each update writes a segment of its own: forty of them, four to a level before FTS5 merges them.
    for (let edit = 0; edit < 40; edit++) {
      writeFileSync(path.join(root, 'merged.md'), `---\ntitle: Merge ${edit} of the okapi\n---\nBody ${edit}.\n`);
      await live.apply(['merged.md']);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(index.search(live.current.public, 'okapi ').articles.map((article) => article.slug)).toEqual(['merged']);
    const db = new Database(file);
    const automerge = (kind: string) => db.prepare(`SELECT v FROM ${kind}_fts_config WHERE k = 'automerge'`).pluck().get();
    expect([automerge('public'), automerge('draft')]).toEqual([0, 0]);
    // FTS5's test for work left: a merge command that changes fewer than two rows had nothing to merge.
    const changesOfMerge = (kind: string) => {
      const before = db.prepare('SELECT total_changes()').pluck().get() as number;
      db.prepare(`INSERT INTO ${kind}_fts(${kind}_fts, rank) VALUES ('merge', 1000)`).run();
      return (db.prepare('SELECT total_changes()').pluck().get() as number) - before;
    };
    expect(changesOfMerge('public')).toBeLessThan(2);
    expect(changesOfMerge('draft')).toBeLessThan(2);
    db.close();
    live.close();
  });
});

describe('an index that follows an update of many files at once', () => {
  it('should rank every query as an index built afresh on the new version does', async () => {
    const { root, live } = await liveContentCopy();
    const index = new SearchIndex(live);
    index.prepareNow();
    // A search reads the word counts, which the update must then keep right (similar reads them too).
    index.search(live.current.public, 'ai');
    const names = readdirSync(root)
      .filter((name) => name.endsWith('.md'))
      .sort();
    const edit = (name: string, change: (text: string) => string) =>
      writeFileSync(path.join(root, name), change(readFileSync(path.join(root, name), 'utf8')));
    // Edited (a new word in title and body), deleted, drafted, published, and added, in one update.
    for (const name of names.slice(0, 8))
      edit(name, (text) => text.replace(/^title: .*$/m, 'title: "Okapi sighting"').concat('\nOkapi okapi.\n'));
    for (const name of names.slice(8, 11)) rmSync(path.join(root, name));
    edit(names[11]!, (text) => text.replace(/^---\n/, '---\npublished: false\n'));
    const draft = names.slice(12).find((name) => /^published: false$/m.test(readFileSync(path.join(root, name), 'utf8')))!;
    edit(draft, (text) => text.replace(/^published: false$/m, 'published: true'));
    for (let number = 0; number < 4; number++) {
      writeFileSync(
        path.join(root, `zz-okapi-${number}.md`),
        `---\ntitle: Okapi report ${number}\n---\nThe okapi and the AI model ${'okapi '.repeat(number)}\n`,
      );
    }
    await live.apply(['']);
    const fresh = new SearchIndex({ current: live.current });
    const ranked = (of: SearchIndex, view: 'public' | 'preview', query: string) => {
      const result = of.search(live.current[view], query);
      return result.articles.map((article) => [article.slug, Math.round(result.scores.get(article)! * 1e9)]);
    };
    for (const query of ['okapi', 'ai', 'sepsis trial', '"language model"', 'the']) {
      for (const view of ['public', 'preview'] as const) expect(ranked(index, view, query)).toEqual(ranked(fresh, view, query));
    }
    expect(ranked(index, 'public', 'okapi').length).toBe(12);
    const alike = (of: SearchIndex) =>
      live.current.public.articles.map((article) => of.alike(live.current.public, article).map((other) => other.slug));
    expect(alike(index)).toEqual(alike(fresh));
    fresh.close();
    index.close();
    live.close();
  });

  it('should build itself again when an update cannot name the text a row was made of', async () => {
    const root = createTempDirectory('newsgraph-search-');
    cpSync(CONTENT_DIR, root, { recursive: true });
    const problems: string[] = [];
    const loaded = await loadCorpus(root, { cacheDir: createTempDirectory(), onStoreProblem: (message) => problems.push(message) });
    const live = new LiveCorpus(loaded.corpus, loaded.content, {
      root,
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      parseSettings: { siteUrl: null, frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS },
      settleMs: 0,
    });
    const index = new SearchIndex(live);
    index.prepareNow();
    const victim = live.current.public.articleBySlug('2023-06-21-hospital-ai-spots-sepsis-hours-before-doctors-trial-finds')!;
    expect(index.search(live.current.public, 'sepsis').articles).toContain(victim);
    // The store loses the record, and the file changes: the version being replaced can only be
    // read from the new file, which is not the text the index holds for it.
    const env = open({ path: (loaded.content as ContentStore).directory, maxDbs: 5 });
    await env.openDB({ name: 'records' }).remove(victim.sourcePath);
    await env.close();
    // lmdb-js keeps written records in its cache: dropped, so the store is read again.
    const store = loaded.content as ContentStore;
    (store as unknown as { databases: { records: { cache: Map<string, unknown> } } }).databases.records.cache.clear();
    store.refresh();
    writeFileSync(path.join(root, victim.sourcePath), '---\ntitle: A quiet day\n---\nNothing happened.\n');
    await live.apply([victim.sourcePath]);
    expect(problems).toEqual([
      expect.stringContaining(`the record of ${victim.sourcePath} in the content store is not used because it is missing`),
    ]);
    const fresh = new SearchIndex({ current: live.current });
    for (const query of ['sepsis', 'quiet', 'hospital']) {
      const followed = index.search(live.current.public, query);
      const built = fresh.search(live.current.public, query);
      expect([followed.total, followed.articles.map((article) => article.slug)]).toEqual([
        built.total,
        built.articles.map((article) => article.slug),
      ]);
    }
    expect(index.search(live.current.public, 'quiet').articles.map((article) => article.slug)).toEqual([victim.slug]);
    fresh.close();
    index.close();
    live.close();
  });
});

describe('a last word searched as a prefix', () => {
  it('should find every article with a word it begins, whether it begins few words or many, drafts in preview only, after updates too', async () => {
    const root = createTempDirectory('newsgraph-search-prefix-');
    // 40 words begin with "zylo" (more than a prefix is expanded into), 11 with "zylo1" and with "zylo3".
    const titles = new Map(Array.from({ length: 40 }, (_, at) => [`report-${at}`, `Report zylo${at}`]));
    for (const [slug, title] of titles) writeFileSync(path.join(root, `${slug}.md`), `---\ntitle: ${title}\n---\nBody.\n`);
    writeFileSync(path.join(root, 'draft.md'), '---\ntitle: Draft zylo3draft\npublished: false\n---\nBody.\n');
    const { live, index } = await liveIndex(root);
    const slugsOf = (searchIndex: SearchIndex, query: string, view: 'public' | 'preview') =>
      searchIndex
        .search(live.current[view], query)
        .articles.map((article) => article.slug)
        .sort();
    const slugs = (query: string, view: 'public' | 'preview' = 'public') => slugsOf(index, query, view);
    const beginning = (prefix: string) =>
      [...titles]
        .filter(([, title]) => words(title).some((word) => word.startsWith(prefix)))
        .map(([slug]) => slug)
        .sort();
    for (const prefix of ['zylo', 'zylo1', 'zylo3', 'zylo39', 'zylo4']) {
      expect(slugs(prefix)).toEqual(beginning(prefix));
      expect(slugs(`report ${prefix}`)).toEqual(beginning(prefix));
    }
    expect(beginning('zylo')).toHaveLength(40);
    expect(beginning('zylo1')).toHaveLength(11);
    // A draft's word is one more word the prefix begins, in preview only.
    for (const prefix of ['zylo3', 'zylo3d', 'zylo'])
      expect([slugs(prefix), slugs(prefix, 'preview')]).toEqual([beginning(prefix), [...beginning(prefix), 'draft'].sort()]);
    // Where many words are dense enough (here, from one article each), "zylo" stands for its 40 words (41 in preview): the same articles.
    const dense = new SearchIndex(live, ':memory:', { prefixWordArticles: 1 });
    expect([slugsOf(dense, 'zylo', 'public'), slugsOf(dense, 'zylo', 'preview')]).toEqual([
      beginning('zylo'),
      [...beginning('zylo'), 'draft'].sort(),
    ]);
    dense.close();
    // Asked before and after an update that adds a word the prefix begins: the update is found.
    expect(slugs('zylo2')).toEqual(beginning('zylo2'));
    writeFileSync(path.join(root, 'new.md'), '---\ntitle: Report zylo2new\n---\nBody.\n');
    await live.apply(['new.md']);
    expect([slugs('zylo2'), slugs('zylo2', 'preview')]).toEqual([
      [...beginning('zylo2'), 'new'].sort(),
      [...beginning('zylo2'), 'new'].sort(),
    ]);
    live.close();
    index.close();
  });
});

describe('a search made before a live update', () => {
  it('should count and list the matches its own version holds', async () => {
    const { root, live } = await liveContentCopy();
    const index = new SearchIndex(live);
    index.prepareNow();
    const before = live.current;
    const expected = new SearchIndex({ current: before }).search(before.public, 'ai ').articles.map((article) => article.slug);
    expect(expected.length).toBeGreaterThan(5);
    const result = index.search(before.public, 'ai ');
    writeFileSync(path.join(root, 'zz-ai-update.md'), '---\ntitle: AI news written while a search was read\n---\n');
    await live.apply(['zz-ai-update.md']);
    expect(live.current).not.toBe(before);
    expect(result.total).toBe(expected.length);
    expect(result.articles.map((article) => article.slug)).toEqual(expected);
    expect(index.search(live.current.public, 'ai ').total).toBe(expected.length + 1);
    live.close();
  });
});

/** Every row of an index file's tables (rows, vocabularies, meta), as one value to compare. */
function tablesOf(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  const tables: Record<string, unknown[]> = {};
  for (const table of ['public_rows', 'draft_rows', 'public_vocab', 'draft_vocab', 'meta']) {
    tables[table] = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).raw().all();
  }
  db.close();
  return tables;
}

describe('an index built with a worker thread (prepare)', () => {
  it.each([['content/', CONTENT_DIR], ...(requireSharedCorpus() ? [['the shared real sample', SAMPLE_CORPUS]] : [])])(
    'should write the index a build on this thread writes, over %s',
    async (_, directory) => {
      const corpus = await corpusOf(directory);
      const work = createTempDirectory();
      const here = new SearchIndex({ current: corpus }, path.join(work, 'here.sqlite'));
      expect(here.prepareNow()).toBe(true);
      const onWorker = new SearchIndex({ current: corpus }, path.join(work, 'worker.sqlite'), { workerFromArticles: 0 });
      expect(await onWorker.prepare()).toBe(true);
      expect(await onWorker.prepare()).toBe(false);
      const tables = tablesOf(path.join(work, 'worker.sqlite'));
      expect(tables.public_rows!.length).toBe(corpus.public.articles.length);
      expect(tables).toEqual(tablesOf(path.join(work, 'here.sqlite')));
      const ranked = (of: SearchIndex, view: 'public' | 'preview', query: string) => {
        const result = of.search(corpus[view], query);
        return result.articles.map((article) => [article.slug, result.scores.get(article)]);
      };
      for (const query of ['ai', 'the model', '"language model"', 'heal'])
        for (const view of ['public', 'preview'] as const) expect(ranked(onWorker, view, query)).toEqual(ranked(here, view, query));
      here.close();
      onWorker.close();
      const reopened = new SearchIndex({ current: corpus }, path.join(work, 'worker.sqlite'));
      expect(await reopened.prepare()).toBe(false);
      reopened.close();
    },
  );

  it('should refuse a search until it is built, and build again when the corpus changed meanwhile', async () => {
    const before = await corpusOf(CONTENT_DIR);
    const root = createTempDirectory('newsgraph-search-');
    cpSync(CONTENT_DIR, root, { recursive: true });
    writeFileSync(path.join(root, 'zebra.md'), '---\ntitle: Okapi sighting\n---\nAn okapi.\n');
    const after = await corpusOf(root);
    const source = { current: before };
    const index = new SearchIndex(source, path.join(createTempDirectory(), 'search.sqlite'), { workerFromArticles: 0 });
    const building = index.prepare();
    expect(() => index.search(before.public, 'okapi')).toThrow(
      'The search index is being built (SearchIndex.prepare): search once it resolves.',
    );
    source.current = after;
    expect(await building).toBe(true);
    expect(index.search(after.public, 'okapi').articles.map((article) => article.slug)).toEqual(['zebra']);
    index.close();
  });
});

describe.skipIf(!requireSharedCorpus())('SearchIndex over the shared real sample', () => {
  it('should find exactly the articles with every word, phrase, prefix or typo correction', async () => {
    await checkSearches(SAMPLE_CORPUS);
  });
});

describe('tokenize', () => {
  it('should fold every word as Unicode decomposition does, ASCII or not', () => {
    const letters = fc.constantFrom(...'aZé É ß İ ﬁ Ω ǅ ñ9x-Å ö Ä ⅷ 中 ﬀ Ǆ'.split(''));
    fc.assert(
      fc.property(fc.array(fc.oneof(letters, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 20 }), (parts) => {
        const text = parts.join('');
        const expected = [...text.matchAll(/[\p{L}\p{N}\p{Co}]+/gu)].map((match) =>
          match[0].normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase(),
        );
        expect(tokenize(text).map((token) => token.word)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('a search ranked only as far as it is read', () => {
  it.for([
    ['content/', CONTENT_DIR, ['ai ', 'a', 'model', 'sepsis '], 20],
    ['a corpus of tied scores', '', ['quokka ', 'sigh'], 44],
    ['the shared real sample', SAMPLE_CORPUS, ['ai ', 'the ', 'model', 'health '], 100],
  ] as const)(
    'should list the best matches of %s as a prefix of every match, ties by slug',
    async ([name, given, queries, most], { skip }) => {
      if (name === 'the shared real sample' && !requireSharedCorpus()) skip();
      const corpus = await corpusOf(given === '' ? tiedScoresCorpus() : given);
      const slugs = (articles: readonly Article[]) => articles.map((article) => article.slug);
      const reference = new SearchIndex({ current: corpus });
      let longest = 0;
      for (const query of queries) {
        const every = reference.search(corpus.public, query);
        const all = every.articles;
        longest = Math.max(longest, all.length);
        for (const count of [1, 4, 33]) {
          // A fresh index: nothing of this query is listed yet.
          const index = new SearchIndex({ current: corpus });
          const result = index.search(corpus.public, query);
          for (const wanted of [count, count * 3, all.length + 1]) {
            const best = result.best(wanted);
            expect(best.length).toBeGreaterThanOrEqual(Math.min(wanted, all.length));
            expect(slugs(best)).toEqual(slugs(all.slice(0, best.length)));
            expect(best.map((article) => result.scores.get(article))).toEqual(best.map((article) => every.scores.get(article)));
          }
          expect(result.total).toBe(all.length);
          expect(slugs(result.articles)).toEqual(slugs(all));
          index.close();
        }
        const counted = new SearchIndex({ current: corpus });
        expect(counted.search(corpus.public, query).total).toBe(all.length);
        counted.close();
      }
      // Long enough for lists read in several steps.
      expect(longest).toBeGreaterThanOrEqual(most);
      reference.close();
    },
  );
});

/**
 * The order a search in tiers must give, computed from a whole ranking: the matches newest first as
 * the view keeps them, cut into tiers of `tierRows`, each tier best first (ties by slug).
 */
function tieredOrder(view: CorpusView, scores: ReadonlyMap<Article, number>, tierRows: number): string[] {
  const newestFirst = view.articles.filter((article) => scores.has(article));
  const order: string[] = [];
  for (let start = 0; start < newestFirst.length; start += tierRows) {
    const tier = newestFirst.slice(start, start + tierRows);
    tier.sort((a, b) => scores.get(b)! - scores.get(a)! || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    order.push(...tier.map((article) => article.slug));
  }
  return order;
}

describe('a search ranked in tiers by recency', () => {
  it.for([
    ['content/', CONTENT_DIR, ['ai ', 'a', 'model', 'ai model '], 3],
    ['a corpus of tied scores', '', ['quokka ', 'sigh'], 7],
    ['the shared real sample', SAMPLE_CORPUS, ['ai ', 'the ', 'model', 'health ', 'ai health '], 25],
  ] as const)(
    'should rank the most recent matches of %s first, best first within each tier',
    async ([name, given, queries, tierRows], { skip }) => {
      if (name === 'the shared real sample' && !requireSharedCorpus()) skip();
      const corpus = await corpusOf(given === '' ? tiedScoresCorpus() : given);
      const whole = new SearchIndex({ current: corpus });
      const tiered = new SearchIndex({ current: corpus }, ':memory:', { tierRows });
      let tiers = 0;
      for (const query of queries) {
        const reference = whole.search(corpus.public, query);
        expect(reference.articles.length).toBeGreaterThan(0);
        const expected = tieredOrder(corpus.public, reference.scores, tierRows);
        const result = tiered.search(corpus.public, query);
        // Read as a page would: the first few, then everything.
        const first = result.best(2).map((article) => article.slug);
        expect(first.length).toBeGreaterThanOrEqual(Math.min(2, expected.length));
        expect(first).toEqual(expected.slice(0, first.length));
        expect(result.articles.map((article) => article.slug)).toEqual(expected);
        expect(result.total).toBe(expected.length);
        for (const article of result.articles) {
          expect(Number.isFinite(result.scores.get(article))).toBe(true);
          expect(result.scores.get(article)).toBe(reference.scores.get(article));
          expect(result.tiers.get(article)).toBe(
            Math.floor(corpus.public.articles.filter((other) => reference.scores.has(other)).indexOf(article) / tierRows),
          );
        }
        tiers = Math.max(tiers, Math.ceil(expected.length / tierRows));
        // The preview view reads drafts too: every article of a tier is at least as recent as every article of the next.
        const preview = tiered.search(corpus.preview, query);
        const dates = (tier: number) =>
          preview.articles
            .filter((article) => preview.tiers.get(article) === tier)
            .map((article) => article.publishedDateTime ?? -Infinity);
        for (let tier = 1; dates(tier).length > 0; tier++)
          expect(Math.min(...dates(tier - 1))).toBeGreaterThanOrEqual(Math.max(...dates(tier)));
        expect(preview.total).toBe(whole.search(corpus.preview, query).articles.length);
      }
      // Queries long enough for several tiers.
      expect(tiers).toBeGreaterThanOrEqual(3);
      whole.close();
      tiered.close();
    },
  );

  it('should put a new article in the first tier and an edited old one where its date is', async () => {
    const { root, live } = await liveContentCopy();
    const index = new SearchIndex(live, ':memory:', { tierRows: 2 });
    index.prepareNow();
    const oldest = live.current.public.articles.at(-1)!;
    writeFileSync(path.join(root, 'zz-quagga-now.md'), `---\ntitle: Quagga news\npublishedDateTime: ${new Date().toISOString()}\n---\n`);
    // An hour, two and three after the oldest article.
    const base = oldest.publishedDateTime ?? Date.parse('2001-01-01');
    for (const [at, name] of ['zz-quagga-a.md', 'zz-quagga-b.md', 'zz-quagga-c.md'].entries())
      writeFileSync(
        path.join(root, name),
        `---\ntitle: Quagga\npublishedDateTime: ${new Date(base + (at + 1) * 3_600_000).toISOString()}\n---\n`,
      );
    const oldestFile = readdirSync(root).find((name) => name === `${oldest.slug}.md`)!;
    writeFileSync(path.join(root, oldestFile), `${readFileSync(path.join(root, oldestFile), 'utf8')}\nQuagga quagga quagga.\n`);
    await live.apply(['zz-quagga-now.md', 'zz-quagga-a.md', 'zz-quagga-b.md', 'zz-quagga-c.md', oldestFile]);
    const result = index.search(live.current.public, 'quagga ');
    const tierOf = Object.fromEntries(result.articles.map((article) => [article.slug, result.tiers.get(article)]));
    // Newest first: now, c, b, a, then the oldest article.
    expect(tierOf).toEqual({ 'zz-quagga-now': 0, 'zz-quagga-c': 0, 'zz-quagga-b': 1, 'zz-quagga-a': 1, [oldest.slug]: 2 });
    live.close();
  });
});

describe('a search with a common word', () => {
  it.for([
    ['content/', CONTENT_DIR],
    ['the shared real sample', SAMPLE_CORPUS],
  ] as const)(
    'should match every word of %s but rank by the rarer ones, and never by an excluded word',
    async ([name, directory], { skip }) => {
      if (name === 'the shared real sample' && !requireSharedCorpus()) skip();
      const corpus = await corpusOf(directory);
      // Every word in more than a tenth of the articles is common, however few they are.
      const index = new SearchIndex({ current: corpus }, ':memory:', { commonMinArticles: 0 });
      const published = readRawFiles(directory).filter((file) => file.data.published !== false);
      const frequency = new Map<string, number>();
      for (const file of published) for (const word of new Set(fieldsOf(file).flat())) frequency.set(word, (frequency.get(word) ?? 0) + 1);
      const isCommon = (word: string) => frequency.get(word)! > 0.1 * published.length;
      const [common] = [...frequency].filter(([word]) => isCommon(word) && /^[a-z]{3,}$/.test(word)).sort((a, b) => b[1] - a[1])[0]!;
      // The rarer word most often found with it.
      const together = new Map<string, number>();
      for (const file of published) {
        const fields = fieldsOf(file);
        if (!hasWord(fields, common)) continue;
        for (const word of new Set(fields.flat()))
          if (!isCommon(word) && /^[a-z]{4,}$/.test(word)) together.set(word, (together.get(word) ?? 0) + 1);
      }
      const [rare] = [...together].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
      const scoresOf = (query: string) => {
        const result = index.search(corpus.public, query);
        return new Map(result.articles.map((article) => [article.slug, result.scores.get(article)]));
      };
      const both = scoresOf(`${common} ${rare} `);
      expect([...both.keys()].sort()).toEqual(expectedSlugs(published, (fields) => hasWord(fields, common) && hasWord(fields, rare)));
      expect(both.size).toBeGreaterThan(1);
      const rareAlone = scoresOf(`${rare} `);
      for (const [slug, score] of both) expect(score).toBe(rareAlone.get(slug));
      // Alone, the common word ranks its matches itself.
      const commonAlone = scoresOf(`${common} `);
      expect([...both.keys()].some((slug) => commonAlone.get(slug) !== rareAlone.get(slug))).toBe(true);
      // An excluded word leaves the scores as they are.
      const other = [...frequency.keys()].find(
        (word) =>
          /^[a-z]{4,}$/.test(word) &&
          word !== rare &&
          !isCommon(word) &&
          expectedSlugs(published, (fields) => hasWord(fields, rare) && hasWord(fields, word)).length > 0,
      )!;
      const excluded = scoresOf(`${rare} -${other}`);
      expect([...excluded.keys()].sort()).toEqual(expectedSlugs(published, (fields) => hasWord(fields, rare) && !hasWord(fields, other)));
      for (const [slug, score] of excluded) expect(score).toBe(rareAlone.get(slug));
      index.close();
    },
  );
});

/**
 * 60 articles: "news" in 50 titles (one to three times), 40 words beginning "zor" one or two
 * articles each (too many, in too few articles, to be searched as their OR: FTS5 merges them), and
 * "zorro" in every third, "zorroland" in two; the articles 3 and 4 are drafts.
 */
function typedPrefixCorpus(): string {
  const files: Record<string, string> = {};
  for (let at = 0; at < 60; at++) {
    const zor = `zor${String.fromCharCode(97 + (at % 26))}${String.fromCharCode(97 + Math.floor((at % 40) / 26))}x`;
    const title = at < 50 ? `${'News '.repeat(1 + (at % 3))}about ${zor}` : at < 55 ? 'News about nothing' : `${zor} sighting`;
    const zorro = at % 3 === 0 ? ` Zorro${at % 29 === 0 ? ' zorroland' : ''} rides.` : '';
    const day = String(1 + ((at * 11) % 28)).padStart(2, '0');
    files[`typed-${String(at).padStart(2, '0')}.md`] =
      `---\ntitle: ${title}\n${at === 3 || at === 4 ? 'published: false\n' : ''}excerpt: "Report ${at}.${zorro}"\npublishedDateTime: 2024-0${1 + (at % 4)}-${day}T00:00:00Z\n---\n`;
  }
  return createTempCorpus(files, 'newsgraph-typed-');
}

describe('a search whose last word is still being typed after common words', () => {
  it.for([
    ['a prefix of many rare words', 'news zor', (word: string) => word.startsWith('zor')],
    ['a common word that begins others', 'news zorro', (word: string) => word.startsWith('zorro')],
  ] as const)('should rank %s by the common words typed in full, and count and tier its matches', async ([, query, isTyped]) => {
    const directory = typedPrefixCorpus();
    const corpus = await corpusOf(directory);
    const raw = readRawFiles(directory);
    const matches = (fields: string[][]) => hasWord(fields, 'news') && fields.some((field) => field.some(isTyped));
    const expected = expectedSlugs(
      raw.filter((file) => file.data.published !== false),
      matches,
    );
    const withDrafts = expectedSlugs(raw, matches);
    expect(withDrafts.length).toBeGreaterThan(expected.length);
    expect(expected.length).toBeGreaterThan(15);
    const options = { commonMinArticles: 0 };
    const reference = new SearchIndex({ current: corpus }, ':memory:', options);
    const news = reference.search(corpus.public, 'news ');
    expect(news.articles.length).toBe(53);
    const newsAlone = news.scores;
    const whole = reference.search(corpus.public, query);
    expect(whole.articles.map((article) => article.slug).sort()).toEqual(expected);
    for (const article of whole.articles) expect(whole.scores.get(article)).toBe(newsAlone.get(article));
    expect(new Set(whole.articles.map((article) => whole.scores.get(article))).size).toBeGreaterThan(1);
    // In tiers of 7 and in one tier, the total asked before the first page and after it.
    const scores = new Map(whole.articles.map((article) => [article, newsAlone.get(article)!]));
    for (const tierRows of [7, 2000]) {
      const order = tieredOrder(corpus.public, scores, tierRows);
      for (const totalFirst of [true, false]) {
        const tiered = new SearchIndex({ current: corpus }, ':memory:', { ...options, tierRows });
        const result = tiered.search(corpus.public, query);
        if (totalFirst) expect(result.total).toBe(expected.length);
        expect(result.best(3).map((article) => article.slug)).toEqual(order.slice(0, result.best(3).length));
        expect(result.total).toBe(expected.length);
        expect(result.articles.map((article) => article.slug)).toEqual(order);
        // The preview view reads the drafts' table too.
        const preview = tiered.search(corpus.preview, query);
        if (totalFirst) expect(preview.total).toBe(withDrafts.length);
        preview.best(3);
        expect(preview.total).toBe(withDrafts.length);
        expect(preview.articles.map((article) => article.slug).sort()).toEqual(withDrafts);
        tiered.close();
      }
    }
    reference.close();
  });
});
