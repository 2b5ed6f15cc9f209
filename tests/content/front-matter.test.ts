import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../../src/content/front-matter.js';
import { DEFAULT_MAX_FILE_BYTES, type LoadResult, loadCorpus } from '../../src/content/load.js';
import type { Article, Diagnostic } from '../../src/content/model.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));

const temporaryDirectories: string[] = [];

afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

/** A fresh, empty directory under the OS temp directory, removed after the file's tests. */
function freshDirectory(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'newsgraph-hostile-'));
  temporaryDirectories.push(directory);
  return directory;
}

function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

/** Copies the chosen fixtures into a fresh content directory and loads it. */
async function loadFixtures(names: readonly string[]): Promise<LoadResult> {
  const directory = freshDirectory();
  for (const name of names) copyFileSync(path.join(FIXTURES, name), path.join(directory, name));
  return loadCorpus(directory);
}

function diagnosticsOf(result: LoadResult, file: string): Diagnostic[] {
  return result.corpus.diagnostics.filter((diagnostic) => diagnostic.file === file);
}

function previewArticle(result: LoadResult, slug: string): Article {
  const article = result.corpus.preview.articleBySlug(slug);
  if (article === undefined) throw new Error(`expected the article ${slug} in the preview view`);
  return article;
}

/** The message of a refused parse; fails the test when the parse succeeded. */
function refusal(bytes: Uint8Array): string {
  const result = parseFrontMatter(bytes);
  if (result.ok) throw new Error(`expected the parse to fail, it returned ${JSON.stringify(result.data)}`);
  return result.message;
}

const globals = globalThis as unknown as Record<string, unknown>;

const EXECUTABLE_CASES = [
  { file: 'js-front-matter.md', global: '__newsgraphPwnedJs', firstLine: '---js', value: 'js' },
  { file: 'javascript-front-matter.md', global: '__newsgraphPwnedJavascript', firstLine: '---javascript', value: 'javascript' },
  { file: 'uppercase-js-front-matter.md', global: '__newsgraphPwnedUppercaseJs', firstLine: '---JS', value: 'JS' },
  { file: 'bom-js-front-matter.md', global: '__newsgraphPwnedBomJs', firstLine: '---js', value: 'bom-js' },
] as const;

describe('executable front matter', () => {
  it.each(EXECUTABLE_CASES)('should refuse $file without executing it (parseFrontMatter)', ({ file, global, firstLine }) => {
    expect(globals[global]).toBeUndefined();

    const message = refusal(fixtureBytes(file));

    expect(globals[global]).toBeUndefined();
    expect(message).toContain('expected the first line to be exactly "---"');
    expect(message).toContain(`found "${firstLine}"`);
  });

  it.each(EXECUTABLE_CASES)('should report $file as an error without executing it (loadCorpus)', async ({ file, global, firstLine }) => {
    const result = await loadFixtures([file]);

    expect(globals[global]).toBeUndefined();
    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file, field: null, severity: 'error', message: expect.stringContaining('expected the first line to be exactly "---"') },
    ]);
    expect(result.corpus.diagnostics[0]!.message).toContain(`found "${firstLine}"`);
  });

  it('should show that plain gray-matter does evaluate these files (the danger is real)', () => {
    try {
      for (const { file, global, value } of EXECUTABLE_CASES) {
        expect(globals[global]).toBeUndefined();
        // An options object keeps gray-matter from caching the result.
        matter(fixtureBytes(file).toString('utf8'), {});
        expect(globals[global]).toBe(value);
      }
    } finally {
      for (const { global } of EXECUTABLE_CASES) delete globals[global];
    }
    for (const { global } of EXECUTABLE_CASES) expect(globals[global]).toBeUndefined();
  });
});

describe('YAML aliases', () => {
  it('should reject the billion-laughs alias bomb in under 100 ms', () => {
    const bytes = fixtureBytes('alias-bomb.md');

    const started = performance.now();
    const message = refusal(bytes);
    const elapsed = performance.now() - started;

    expect(message).toBe('the front matter expands to more than 20000 YAML nodes through its aliases');
    expect(elapsed).toBeLessThan(100);
  });

  it('should reject a self-referencing alias as a cycle in under 100 ms', () => {
    const bytes = fixtureBytes('self-alias.md');

    const started = performance.now();
    const message = refusal(bytes);
    const elapsed = performance.now() - started;

    expect(message).toBe('the front matter refers to itself through a YAML alias (a cycle)');
    expect(elapsed).toBeLessThan(100);
  });
});

describe('prototype keys', () => {
  it('should keep __proto__ and constructor keys as plain data without polluting any prototype', async () => {
    const parsed = parseFrontMatter(fixtureBytes('proto-keys.md'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.hasOwn(parsed.data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed.data)).toBe(Object.prototype);

    const result = await loadFixtures(['proto-keys.md']);
    const article = previewArticle(result, 'proto-keys');

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(Object.hasOwn(Object.prototype, 'published')).toBe(false);
    expect(article.published).toBe(false);
    expect(result.corpus.public.articleBySlug('proto-keys')).toBeUndefined();
    expect(result.corpus.diagnostics).toEqual([]);

    const extra = article.extra;
    expect(extra).not.toBeNull();
    if (extra === null) return;
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.keys(extra)).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(extra, '__proto__')).toBe(true);
    expect(Object.hasOwn(extra, 'constructor')).toBe(true);
    expect(JSON.stringify(extra)).toBe('{"__proto__":{"published":true,"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    expect(Object.getPrototypeOf(article)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('published that is not a boolean', () => {
  it.each([
    { file: 'published-string-false.md', found: '"false"' },
    { file: 'published-no.md', found: '"no"' },
    { file: 'published-off.md', found: '"off"' },
    { file: 'published-zero.md', found: 'number 0' },
  ])('should load $file as a draft with a warning on published', async ({ file, found }) => {
    const slug = file.replace(/\.md$/, '');
    const result = await loadFixtures([file]);

    const article = previewArticle(result, slug);
    expect(article.published).toBe(false);
    expect(result.corpus.public.articleBySlug(slug)).toBeUndefined();
    expect(result.corpus.public.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file, field: 'published', severity: 'warning', message: expect.stringContaining('expected true or false') },
    ]);
    expect(result.corpus.diagnostics[0]!.message).toContain(`found ${found}`);
    expect(result.corpus.diagnostics[0]!.message).toContain('draft');
  });
});

describe('unreadable files', () => {
  it('should report a file with NUL bytes as binary', async () => {
    expect(refusal(fixtureBytes('binary.bin.md'))).toContain('binary');

    const result = await loadFixtures(['binary.bin.md']);
    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file: 'binary.bin.md', field: null, severity: 'error', message: expect.stringContaining('the file is binary') },
    ]);
  });

  it('should report a Latin-1 file as not valid UTF-8, naming the bad byte', async () => {
    const result = await loadFixtures(['latin1.md']);

    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file: 'latin1.md', field: null, severity: 'error', message: expect.stringContaining('not valid UTF-8') },
    ]);
    expect(result.corpus.diagnostics[0]!.message).toContain('byte 0xE9 at offset 15');
  });

  it('should report an empty file', async () => {
    expect(fixtureBytes('empty.md').length).toBe(0);
    const result = await loadFixtures(['empty.md']);

    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file: 'empty.md', field: null, severity: 'error', message: expect.stringContaining('the file is empty') },
    ]);
  });

  it('should report a Markdown file without front matter', async () => {
    const result = await loadFixtures(['no-front-matter.md']);

    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file: 'no-front-matter.md', field: null, severity: 'error', message: expect.stringContaining('no front matter') },
    ]);
  });

  it('should report front matter that is never closed', async () => {
    const result = await loadFixtures(['unclosed.md']);

    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file: 'unclosed.md', field: null, severity: 'error', message: expect.stringContaining('the front matter is not closed') },
    ]);
  });

  it('should refuse ---json front matter', async () => {
    expect(refusal(fixtureBytes('json-front-matter.md'))).toContain('found "---json"');

    const result = await loadFixtures(['json-front-matter.md']);
    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      {
        file: 'json-front-matter.md',
        field: null,
        severity: 'error',
        message: expect.stringContaining('expected the first line to be exactly "---"'),
      },
    ]);
  });
});

describe('tolerated files', () => {
  it('should load a file with a BOM and CRLF line endings', async () => {
    const bytes = fixtureBytes('crlf-bom.md');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.includes('\r\n')).toBe(true);

    const result = await loadFixtures(['crlf-bom.md']);
    const article = previewArticle(result, 'crlf-bom');

    expect(article.title).toBe('CRLF works');
    expect(article.published).toBe(true);
    expect(article.body).toBe('Saved on Windows with a BOM.\n');
    expect(result.corpus.public.articleBySlug('crlf-bom')).toBe(article);
    expect(result.corpus.diagnostics).toEqual([]);
  });

  it('should read a lone string of topics as a one-item list with a warning', async () => {
    const result = await loadFixtures(['lone-string-topics.md']);
    const article = previewArticle(result, 'lone-string-topics');

    expect(article.topics).toEqual([{ name: 'AI', slug: 'ai' }]);
    expect(result.corpus.diagnostics).toEqual([
      {
        file: 'lone-string-topics.md',
        field: 'topics',
        severity: 'warning',
        message: 'expected a list of strings, found a single string; read as a one-item list',
      },
    ]);
  });

  it('should load invalid-fields.md with every invalid field dropped and reported by its path', async () => {
    const secured = 'c2VjcmV0LXRva2VuLWRvLW5vdC1sZWFr;aW52YWxpZC1maWVsZHM==';
    const result = await loadFixtures(['invalid-fields.md']);
    const article = previewArticle(result, 'invalid-fields');

    expect(article.title).toBe('Invalid fields');
    expect(article.published).toBe(true);
    expect(article.publishedDateTime).toBeNull();
    expect(article.webUrl).toBeNull();
    expect(article.quality).toBeNull();
    expect(article.heat).toBeNull();
    expect(article.provider).toBeNull();
    expect(article.topics).toEqual([]);
    expect(article.tags).toEqual([]);
    expect(article.images).toEqual([
      { url: 'https://example.com/picture.jpg', width: null, height: null, isCached: null, title: null, attribution: null },
    ]);
    expect(article.secured).toBe(secured);
    expect(article.extra).toBeNull();

    const byField = (a: Diagnostic, b: Diagnostic) => ((a.field ?? '') < (b.field ?? '') ? -1 : 1);
    // Each message says what was expected and what was found; the wording in between may evolve.
    const warning = (field: string, expected: RegExp) => ({
      file: 'invalid-fields.md',
      field,
      severity: 'warning',
      message: expect.stringMatching(expected),
    });
    expect([...result.corpus.diagnostics].sort(byField)).toEqual(
      [
        warning('publishedDateTime', /^expected an ISO-8601 date-time .*found "not a date"/),
        warning('webUrl', /^expected an http or https URL, found the scheme "javascript:"/),
        warning('quality', /^expected a (?:whole )?number from 0 to 100000, found "high"/),
        warning('heat', /^expected a (?:whole )?number from -1 to 1000000, found "1e400"/),
        warning('images[0].width', /^expected a (?:whole )?number (?:of pixels )?from 1 to 100000, found number -3/),
        warning('images[0].height', /^expected a (?:whole )?number (?:of pixels )?from 1 to 100000, found number Infinity/),
        warning('topics', /^expected a list of strings, found a mapping/),
        warning('tags', /^expected a list of strings, found number 42/),
        warning('provider', /^expected a mapping, found "Example News"/),
      ].sort((a, b) => (a.field < b.field ? -1 : 1)),
    );

    const everything = JSON.stringify(result.corpus.diagnostics);
    expect(everything).not.toContain(secured);
    for (const part of secured.split(';')) expect(everything).not.toContain(part);
  });
});

describe('generated content directories', () => {
  it('should report a 2 MiB file by name and size limit without reading it', async () => {
    const directory = freshDirectory();
    const head = '---\ntitle: Too big\n---\n';
    const size = 2 * 1024 * 1024;
    writeFileSync(path.join(directory, 'big.md'), head + 'x'.repeat(size - head.length));
    writeFileSync(path.join(directory, 'small.md'), '---\ntitle: Small\n---\n');
    expect(statSync(path.join(directory, 'big.md')).size).toBe(size);

    const result = await loadCorpus(directory);

    expect(result.corpus.preview.articles.map((article) => article.slug)).toEqual(['small']);
    expect(result.corpus.diagnostics).toEqual([
      {
        file: 'big.md',
        field: null,
        severity: 'error',
        message: expect.stringContaining(`over the limit of ${DEFAULT_MAX_FILE_BYTES} bytes`),
      },
    ]);
    expect(result.corpus.diagnostics[0]!.message).toContain(`the file is ${size} bytes`);
    expect(result.fileCount).toBe(2);
  });

  it('should report a 20,000-deep nested list without crashing, in under 100 ms', async () => {
    const directory = freshDirectory();
    const depth = 20_000;
    const text = `---\ntitle: Deep list\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n---\n`;
    writeFileSync(path.join(directory, 'deep.md'), text);

    const started = performance.now();
    const message = refusal(Buffer.from(text, 'utf8'));
    const elapsed = performance.now() - started;
    expect(message).toContain('nests deeper than 32 levels');
    expect(elapsed).toBeLessThan(100);

    const result = await loadCorpus(directory);
    expect(result.corpus.preview.articles).toEqual([]);
    expect(result.corpus.diagnostics).toEqual([
      { file: 'deep.md', field: null, severity: 'error', message: expect.stringContaining('nests deeper than 32 levels') },
    ]);
  });

  it.skipIf(process.platform === 'win32')('should not follow a symbolic link out of the content directory', async () => {
    const root = freshDirectory();
    const content = path.join(root, 'content');
    const outside = path.join(root, 'outside');
    mkdirSync(content);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret.md'), '---\ntitle: Outside secret title\n---\nNot for the corpus.\n');
    writeFileSync(path.join(content, 'good.md'), '---\ntitle: Good\n---\n');
    symlinkSync(path.join(outside, 'secret.md'), path.join(content, 'link-out.md'));
    symlinkSync(outside, path.join(content, 'linked-folder'));

    const result = await loadCorpus(content);

    expect(result.corpus.preview.articles.map((article) => article.slug)).toEqual(['good']);
    expect(result.corpus.diagnostics).toEqual([
      { file: 'link-out.md', field: null, severity: 'error', message: expect.stringContaining('outside the content directory') },
      { file: 'linked-folder', field: null, severity: 'error', message: expect.stringContaining('outside the content directory') },
    ]);
    const everything = JSON.stringify({ articles: result.corpus.preview.articles, diagnostics: result.corpus.diagnostics });
    expect(everything).not.toContain('Outside secret title');
    expect(everything).not.toContain('Not for the corpus');
  });

  it.skipIf(process.platform === 'win32')('should follow a symbolic link to a file inside the content directory', async () => {
    const content = freshDirectory();
    mkdirSync(path.join(content, 'sub'));
    writeFileSync(path.join(content, 'sub', 'real.md'), '---\ntitle: Inside target\n---\n');
    symlinkSync(path.join('sub', 'real.md'), path.join(content, 'link-in.md'));

    const result = await loadCorpus(content);

    const linked = previewArticle(result, 'link-in');
    expect(linked.title).toBe('Inside target');
    expect(linked.sourcePath).toBe('link-in.md');
    expect(previewArticle(result, 'real').sourcePath).toBe('sub/real.md');
    expect(result.corpus.diagnostics).toEqual([]);
  });

  it('should skip dot-files, dot-folders and node_modules', async () => {
    const content = freshDirectory();
    const broken = '---js\n{ title: "must never be seen" }\n---\n';
    for (const folder of ['.git', '.drafts', 'node_modules/some-package', 'sub/node_modules', 'sub/.cache']) {
      mkdirSync(path.join(content, folder), { recursive: true });
      writeFileSync(path.join(content, folder, 'hidden.md'), broken);
    }
    writeFileSync(path.join(content, '.hidden.md'), broken);
    writeFileSync(path.join(content, 'sub', 'visible.md'), '---\ntitle: Visible\n---\n');

    const result = await loadCorpus(content);

    expect(result.corpus.preview.articles.map((article) => article.sourcePath)).toEqual(['sub/visible.md']);
    expect(result.corpus.diagnostics).toEqual([]);
    expect(result.fileCount).toBe(1);
  });

  it('should load a .markdown file with the extension dropped from its slug', async () => {
    const content = freshDirectory();
    mkdirSync(path.join(content, 'notes'));
    writeFileSync(path.join(content, 'notes', 'long-form.markdown'), '---\ntitle: Long form\n---\nBody.\n');
    writeFileSync(path.join(content, 'notes', 'ignored.txt'), '---\ntitle: Not content\n---\n');

    const result = await loadCorpus(content);

    const article = previewArticle(result, 'long-form');
    expect(article.title).toBe('Long form');
    expect(article.sourcePath).toBe('notes/long-form.markdown');
    expect(result.corpus.preview.articles.length).toBe(1);
    expect(result.corpus.diagnostics).toEqual([]);
  });
});

describe('one bad file never stops the others', () => {
  /** Fixtures that are refused outright (error, no article). */
  const REFUSED = [
    'alias-bomb.md',
    'binary.bin.md',
    'bom-js-front-matter.md',
    'empty.md',
    'javascript-front-matter.md',
    'js-front-matter.md',
    'json-front-matter.md',
    'latin1.md',
    'no-front-matter.md',
    'self-alias.md',
    'unclosed.md',
    'uppercase-js-front-matter.md',
  ];
  /** Fixtures that load with warnings. */
  const WARNED = [
    'invalid-fields.md',
    'lone-string-topics.md',
    'published-no.md',
    'published-off.md',
    'published-string-false.md',
    'published-zero.md',
  ];
  /** Fixtures that load cleanly. */
  const CLEAN = ['crlf-bom.md', 'proto-keys.md'];

  it('should list every committed fixture in exactly one group, each under 2 KB', () => {
    const committed = readdirSync(FIXTURES).sort();
    expect(committed).toEqual([...REFUSED, ...WARNED, ...CLEAN].sort());
    for (const name of committed) expect(statSync(path.join(FIXTURES, name)).size).toBeLessThan(2048);
  });

  it('should load a good file next to every hostile fixture and name each bad file by its relative path', async () => {
    const content = freshDirectory();
    mkdirSync(path.join(content, 'hostile'));
    for (const name of readdirSync(FIXTURES)) copyFileSync(path.join(FIXTURES, name), path.join(content, 'hostile', name));
    writeFileSync(
      path.join(content, 'good.md'),
      '---\ntitle: A good article\nwebUrl: https://example.com/good\ntopics: [AI]\n---\nStill here.\n',
    );

    const result = await loadCorpus(content);
    const { corpus } = result;

    const good = corpus.public.articleBySlug('good');
    expect(good?.title).toBe('A good article');
    expect(good?.webUrl).toBe('https://example.com/good');
    expect(diagnosticsOf(result, 'good.md')).toEqual([]);

    const named = [...new Set(corpus.diagnostics.map((diagnostic) => diagnostic.file))].sort();
    expect(named).toEqual([...REFUSED, ...WARNED].map((name) => `hostile/${name}`).sort());
    for (const name of REFUSED) {
      expect(diagnosticsOf(result, `hostile/${name}`)).toEqual([
        { file: `hostile/${name}`, field: null, severity: 'error', message: expect.any(String) },
      ]);
    }
    for (const name of WARNED) {
      const diagnostics = diagnosticsOf(result, `hostile/${name}`);
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(diagnostics.every((diagnostic) => diagnostic.severity === 'warning')).toBe(true);
    }

    const slugs = corpus.preview.articles.map((article) => article.slug).sort();
    expect(slugs).toEqual(['good', ...[...WARNED, ...CLEAN].map((name) => name.replace(/\.md$/, ''))].sort());
    expect(corpus.public.articles.map((article) => article.slug).sort()).toEqual([
      'crlf-bom',
      'good',
      'invalid-fields',
      'lone-string-topics',
    ]);
    expect(result.fileCount).toBe(REFUSED.length + WARNED.length + CLEAN.length + 1);

    for (const { global } of EXECUTABLE_CASES) expect(globals[global]).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
