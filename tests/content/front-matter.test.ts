import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import matter from 'gray-matter';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/generate.js';
import { parseFrontMatter } from '../../src/content/front-matter.js';
import { loadCorpus } from '../../src/content/load.js';
import {
  CONTENT_DIR,
  createTempCorpus,
  createTempDirectory,
  EXECUTABLE_FIXTURES,
  globals,
  HOSTILE_FIXTURES,
  hostileFixture,
  loadFixtures,
  previewArticle,
  recordOf,
  requireSharedCorpus,
  SAMPLE_CORPUS,
  SEED_CORPUS,
} from '../support.js';

/** The message of a refused parse; fails the test when the parse succeeded. */
function refusal(bytes: Uint8Array): string {
  const result = parseFrontMatter(bytes);
  if (result.ok) throw new Error(`expected the parse to fail, it returned ${JSON.stringify(result.data)}`);
  return result.message;
}

describe('executable front matter', () => {
  it.each(EXECUTABLE_FIXTURES)('should refuse $file without executing it (parseFrontMatter)', ({ file, global, firstLine }) => {
    expect(globals[global]).toBeUndefined();

    const message = refusal(hostileFixture(file));

    expect(globals[global]).toBeUndefined();
    expect(message).toContain('expected the first line to be exactly "---"');
    expect(message).toContain(`found "${firstLine}"`);
  });

  it.each(EXECUTABLE_FIXTURES)('should report $file as an error without executing it (loadCorpus)', async ({ file, global, firstLine }) => {
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
      for (const { file, global, value } of EXECUTABLE_FIXTURES) {
        expect(globals[global]).toBeUndefined();
        // An options object keeps gray-matter from caching the result.
        matter(hostileFixture(file).toString('utf8'), {});
        expect(globals[global]).toBe(value);
      }
    } finally {
      for (const { global } of EXECUTABLE_FIXTURES) delete globals[global];
    }
    for (const { global } of EXECUTABLE_FIXTURES) expect(globals[global]).toBeUndefined();
  });
});

describe('YAML aliases', () => {
  it('should reject the billion-laughs alias bomb in under 100 ms', () => {
    const bytes = hostileFixture('alias-bomb.md');

    const started = performance.now();
    const message = refusal(bytes);
    const elapsed = performance.now() - started;

    expect(message).toBe('the front matter expands to more than 20000 YAML nodes through its aliases');
    expect(elapsed).toBeLessThan(100);
  });

  it('should reject a self-referencing alias as a cycle in under 100 ms', () => {
    const bytes = hostileFixture('self-alias.md');

    const started = performance.now();
    const message = refusal(bytes);
    const elapsed = performance.now() - started;

    expect(message).toBe('the front matter refers to itself through a YAML alias (a cycle)');
    expect(elapsed).toBeLessThan(100);
  });
});

describe('nesting', () => {
  it('should report a 20,000-deep nested list without crashing, in under 100 ms', async () => {
    const depth = 20_000;
    const text = `---\ntitle: Deep list\nx: ${'['.repeat(depth)}${']'.repeat(depth)}\n---\n`;
    const directory = createTempCorpus({ 'deep.md': text });

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
});

describe('prototype keys', () => {
  it('should keep __proto__ and constructor keys as plain data without polluting any prototype', async () => {
    const parsed = parseFrontMatter(hostileFixture('proto-keys.md'));
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

describe('unreadable files', () => {
  it('should report a file with NUL bytes as binary', async () => {
    expect(refusal(hostileFixture('binary.bin.md'))).toContain('binary');

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
    expect(hostileFixture('empty.md').length).toBe(0);
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
    expect(refusal(hostileFixture('json-front-matter.md'))).toContain('found "---json"');

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
    const bytes = hostileFixture('crlf-bom.md');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.includes('\r\n')).toBe(true);

    const result = await loadFixtures(['crlf-bom.md']);
    const article = previewArticle(result, 'crlf-bom');

    expect(article.title).toBe('CRLF works');
    expect(article.published).toBe(true);
    expect(article.body).toBe('Saved on Windows with a BOM.\n');
    expect(recordOf(result.corpus.public.articleBySlug('crlf-bom')!)).toBe(article);
    expect(result.corpus.diagnostics).toEqual([]);
  });
});

/** What gray-matter with js-yaml as its engine makes of a file: the reference the loader's own split must match. */
function grayMatterReading(bytes: Uint8Array): { data: unknown; body: string } {
  const text = Buffer.from(bytes)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n');
  const file = matter(text, { language: 'yaml', engines: { yaml: (source: string) => yaml.load(source) as object } });
  return { data: file.data, body: file.content };
}

/** Each readable Markdown file under `directory` whose reading differs from gray-matter's, and how many were compared. */
function splitDifferences(directory: string): { compared: number; different: string[] } {
  const different: string[] = [];
  let compared = 0;
  for (const name of readdirSync(directory, { recursive: true }) as string[]) {
    if (!/\.(?:md|markdown)$/.test(name)) continue;
    const bytes = readFileSync(path.join(directory, name));
    const parsed = parseFrontMatter(bytes);
    if (!parsed.ok) continue;
    compared++;
    if (!isDeepStrictEqual({ data: parsed.data, body: parsed.body }, grayMatterReading(bytes))) different.push(name);
  }
  return { compared, different };
}

describe('the split of front matter and body', () => {
  it.for([
    ['the real sample', SAMPLE_CORPUS, true],
    ['the seed', SEED_CORPUS, true],
    ['content/ itself', CONTENT_DIR, false],
    ['the hostile fixtures', HOSTILE_FIXTURES, false],
  ] as const)('should read every file of %s exactly as gray-matter and js-yaml do', ([_name, directory, shared], { skip }) => {
    if (shared && !requireSharedCorpus()) skip();
    const result = splitDifferences(directory);
    expect(result.compared).toBeGreaterThan(0);
    expect(result.different).toEqual([]);
  });

  it('should read a generated corpus exactly as gray-matter and js-yaml do', async () => {
    const directory = createTempDirectory('newsgraph-split-');
    await generateCorpus({ directory, articles: 300, seed: 11 });
    expect(splitDifferences(directory)).toEqual({ compared: 300, different: [] });
  });

  it('should split random files exactly as gray-matter does: line ends, BOM, blank and delimiter lines in the body', () => {
    const line = fc.constantFrom('title: A', 'n: 2', '# a comment', '', 'topics:', '  - x', 'a: "q"', 'b: ---', 'c: [1]', 'd: |', '  e');
    const bodyPart = fc.constantFrom('\n', '\r\n', '---', '----', ' ', 'text', '# H', '\r', '...');
    let readBoth = 0;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(line, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(bodyPart, { maxLength: 8 }),
        (bom, lines, newline, closed, body) => {
          const text = `${bom ? '\uFEFF' : ''}---${newline}${lines.map((item) => item + newline).join('')}---${closed ? newline : ''}${body.join('')}`;
          const bytes = Buffer.from(text, 'utf8');
          const parsed = parseFrontMatter(bytes);
          if (!parsed.ok) return;
          readBoth++;
          expect({ data: parsed.data, body: parsed.body }).toEqual(grayMatterReading(bytes));
        },
      ),
      { numRuns: 3_000 },
    );
    expect(readBoth).toBeGreaterThan(600);
  });
});
