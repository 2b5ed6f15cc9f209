import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FRONT_MATTER_LIMITS } from '../../src/content/front-matter.js';
import { type FileToParse, type ParsedFiles, type ParseSettings, parseFiles, parseInBatches } from '../../src/content/parse-files.js';
import { scanContent } from '../../src/content/scan.js';
import { createTempCorpus } from '../support.js';

const SETTINGS: ParseSettings = {
  siteUrl: null,
  frontMatterLimits: DEFAULT_FRONT_MATTER_LIMITS,
  internStrings: true,
  storeDirectory: null,
};

/** Five files in path order: good, no title (error), a bad heat (warning), unclosed (error), good in a folder. */
const FILES = {
  '1.md': '---\ntitle: One\nprovider:\n  name: Alpha News\n  domain: alpha.example\n---\nBody one.\n',
  '2.md': '---\nexcerpt: no title\n---\n',
  '3.md': '---\ntitle: Three\nheat: hot\nprovider:\n  name: Alpha News\n  domain: alpha.example\n---\n',
  '4.md': '---\ntitle: Four\n\nThe front matter never ends.\n',
  'news/Five.MARKDOWN': '---\ntitle: Five\n---\n',
};

/** The files of a fresh temporary corpus, as the scan hands them over. */
async function scannedFiles(files: Record<string, string> = FILES): Promise<{ directory: string; files: readonly FileToParse[] }> {
  const directory = createTempCorpus(files);
  const scan = await scanContent(directory, { maxFileBytes: 1024 * 1024 });
  return { directory, files: scan.files };
}

async function collect(batches: AsyncGenerator<ParsedFiles>): Promise<ParsedFiles[]> {
  const collected: ParsedFiles[] = [];
  for await (const batch of batches) collected.push(batch);
  return collected;
}

describe('parseFiles', () => {
  it('should give the articles and the diagnostics of the files in file order', async () => {
    const { files } = await scannedFiles();
    const parsed = await parseFiles(files, SETTINGS);
    expect(parsed.articles.map((article) => [article.slug, article.sourcePath, article.title])).toEqual([
      ['1', '1.md', 'One'],
      ['3', '3.md', 'Three'],
      ['Five', 'news/Five.MARKDOWN', 'Five'],
    ]);
    expect(parsed.diagnostics).toEqual([
      { file: '2.md', field: 'title', severity: 'error', message: 'expected a non-empty string, found no title; the file is skipped' },
      {
        file: '3.md',
        field: 'heat',
        severity: 'warning',
        message: 'expected a whole number from -1 to 1000000, found "hot"; the field is dropped',
      },
      {
        file: '4.md',
        field: null,
        severity: 'error',
        message: 'the front matter is not closed: expected a line that is exactly "---" after it',
      },
    ]);
    expect(parsed.readMs).toBeGreaterThanOrEqual(0);
    expect(parsed.parseMs).toBeGreaterThan(0);
  });

  it('should give nothing for no files', async () => {
    expect(await parseFiles([], SETTINGS)).toEqual({ files: 0, articles: [], diagnostics: [], readMs: 0, parseMs: 0 });
  });

  it('should report a file deleted between the scan and the read, and read the others', async () => {
    const { directory, files } = await scannedFiles();
    rmSync(path.join(directory, '3.md'));
    const parsed = await parseFiles(files, SETTINGS);
    expect(parsed.articles.map((article) => article.slug)).toEqual(['1', 'Five']);
    expect(parsed.diagnostics.filter((diagnostic) => diagnostic.file === '3.md')).toEqual([
      { file: '3.md', field: null, severity: 'error', message: 'the file could not be read (ENOENT)' },
    ]);
  });

  it('should report a file replaced by a folder between the scan and the read', async () => {
    const { directory, files } = await scannedFiles();
    rmSync(path.join(directory, '1.md'));
    mkdirSync(path.join(directory, '1.md'));
    const parsed = await parseFiles(files, SETTINGS);
    expect(parsed.diagnostics[0]).toEqual({ file: '1.md', field: null, severity: 'error', message: 'the file could not be read (EISDIR)' });
  });

  it('should share one provider record between the articles of one call, with or without interned strings', async () => {
    const { files } = await scannedFiles();
    for (const internStrings of [true, false]) {
      const [one, three] = (await parseFiles(files, { ...SETTINGS, internStrings })).articles;
      expect(one!.provider).toEqual({ name: 'Alpha News', domain: 'alpha.example', images: [] });
      expect(three!.provider).toBe(one!.provider);
    }
  });

  it('should give equal articles and diagnostics with internStrings on and off: interning changes no value', async () => {
    const { files } = await scannedFiles();
    const interned = await parseFiles(files, SETTINGS);
    const copied = await parseFiles(files, { ...SETTINGS, internStrings: false });
    expect(copied.articles).toEqual(interned.articles);
    expect(copied.diagnostics).toEqual(interned.diagnostics);
  });
});

describe('parseInBatches', () => {
  it('should hand over 5 files in batches of 2, 2 and 1 that concatenate to what parseFiles gives', async () => {
    const { files } = await scannedFiles();
    const batches = await collect(parseInBatches(files, SETTINGS, 2));
    expect(batches.map((batch) => [batch.articles.map((article) => article.slug), batch.diagnostics.map((d) => d.file)])).toEqual([
      [['1'], ['2.md']],
      [['3'], ['3.md', '4.md']],
      [['Five'], []],
    ]);
    const whole = await parseFiles(files, SETTINGS);
    expect(batches.flatMap((batch) => batch.articles)).toEqual(whole.articles);
    expect(batches.flatMap((batch) => batch.diagnostics)).toEqual(whole.diagnostics);
  });

  it('should count files, not articles, per batch', async () => {
    const { files } = await scannedFiles();
    const batches = await collect(parseInBatches(files, SETTINGS, 2));
    // Each file is either an article or an error: a batch's articles and errors add up to its files.
    const fileCounts = batches.map(
      (batch) => batch.articles.length + batch.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length,
    );
    expect(fileCounts).toEqual([2, 2, 1]);
  });

  it.each([
    [1, 5],
    [5, 1],
    [100, 1],
  ])('should hand over %d file(s) per batch in %d batch(es)', async (batchSize, count) => {
    const { files } = await scannedFiles();
    expect(await collect(parseInBatches(files, SETTINGS, batchSize))).toHaveLength(count);
  });

  it('should hand over one empty batch for no files', async () => {
    expect(await collect(parseInBatches([], SETTINGS, 2))).toEqual([{ files: 0, articles: [], diagnostics: [], readMs: 0, parseMs: 0 }]);
  });
});
