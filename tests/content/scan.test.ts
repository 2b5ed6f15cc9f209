import { statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FILE_BYTES, loadCorpus } from '../../src/content/load.js';
import { scanContent } from '../../src/content/scan.js';
import { createTempCorpus, createTempDirectory, previewArticle } from '../support.js';

const isWindows = process.platform === 'win32';

describe('the size cap', () => {
  it('should report a 2 MiB file by name and size limit without reading it', async () => {
    const head = '---\ntitle: Too big\n---\n';
    const size = 2 * 1024 * 1024;
    const directory = createTempCorpus({ 'big.md': head + 'x'.repeat(size - head.length), 'small.md': '---\ntitle: Small\n---\n' });
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

  it('should list a file of exactly maxFileBytes and refuse one byte more, naming both sizes', async () => {
    const directory = createTempCorpus({ 'at.md': 'x'.repeat(10), 'over.md': 'x'.repeat(11) });

    const { files, diagnostics } = await scanContent(directory, { maxFileBytes: 10 });

    expect(files).toEqual([{ absolutePath: path.join(directory, 'at.md'), relativePath: 'at.md', size: 10, mtimeMs: expect.any(Number) }]);
    expect(diagnostics).toEqual([
      {
        file: 'over.md',
        field: null,
        severity: 'error',
        message: 'the file is 11 bytes, over the limit of 10 bytes (MAX_FILE_BYTES); it is not read',
      },
    ]);
  });
});

describe('symbolic links', () => {
  it.skipIf(isWindows)('should not follow a symbolic link out of the content directory', async () => {
    const root = createTempCorpus({
      'outside/secret.md': '---\ntitle: Outside secret title\n---\nNot for the corpus.\n',
      'content/good.md': '---\ntitle: Good\n---\n',
    });
    const content = path.join(root, 'content');
    const outside = path.join(root, 'outside');
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

  it.skipIf(isWindows)('should follow a symbolic link to a file inside the content directory', async () => {
    const content = createTempCorpus({
      'sub/real.md': '---\ntitle: Inside target\n---\n',
      'link-in.md': { symlink: path.join('sub', 'real.md') },
    });

    const result = await loadCorpus(content);

    const linked = previewArticle(result, 'link-in');
    expect(linked.title).toBe('Inside target');
    expect(linked.sourcePath).toBe('link-in.md');
    expect(previewArticle(result, 'real').sourcePath).toBe('sub/real.md');
    expect(result.corpus.diagnostics).toEqual([]);
  });

  it.skipIf(isWindows)('should list a link to a file inside by its own path, with the absolute path and size of its target', async () => {
    const content = createTempCorpus({ 'sub/real.md': 'x'.repeat(7), 'link-in.md': { symlink: path.join('sub', 'real.md') } });

    const { files, diagnostics } = await scanContent(content, { maxFileBytes: 100 });

    expect(files).toEqual([
      { absolutePath: path.join(content, 'sub', 'real.md'), relativePath: 'link-in.md', size: 7, mtimeMs: expect.any(Number) },
      { absolutePath: path.join(content, 'sub', 'real.md'), relativePath: 'sub/real.md', size: 7, mtimeMs: expect.any(Number) },
    ]);
    expect(diagnostics).toEqual([]);
  });

  it.skipIf(isWindows)('should walk a folder inside once, under its own name, never through a link to it', async () => {
    const content = createTempCorpus({ 'folder/a.md': 'a', 'alias-of-folder': { symlink: 'folder' } });

    const { files, diagnostics } = await scanContent(content, { maxFileBytes: 100 });

    expect(files.map((file) => file.relativePath)).toEqual(['folder/a.md']);
    expect(diagnostics).toEqual([]);
  });

  it.skipIf(isWindows)('should report a broken link to a content file and ignore a broken link to anything else', async () => {
    const content = createTempCorpus({
      'good.md': 'x',
      'broken.md': { symlink: 'missing.md' },
      'broken.txt': { symlink: 'missing.txt' },
    });

    const { files, diagnostics } = await scanContent(content, { maxFileBytes: 100 });

    expect(files.map((file) => file.relativePath)).toEqual(['good.md']);
    expect(diagnostics).toEqual([
      { file: 'broken.md', field: null, severity: 'error', message: 'the symbolic link is broken: its target does not exist' },
    ]);
  });
});

describe('what the scan skips and finds', () => {
  it('should skip dot-files, dot-folders and node_modules', async () => {
    const broken = '---js\n{ title: "must never be seen" }\n---\n';
    const content = createTempCorpus({
      ...Object.fromEntries(
        ['.git', '.drafts', 'node_modules/some-package', 'sub/node_modules', 'sub/.cache'].map((folder) => [`${folder}/hidden.md`, broken]),
      ),
      '.hidden.md': broken,
      'sub/visible.md': '---\ntitle: Visible\n---\n',
    });

    const result = await loadCorpus(content);

    expect(result.corpus.preview.articles.map((article) => article.sourcePath)).toEqual(['sub/visible.md']);
    expect(result.corpus.diagnostics).toEqual([]);
    expect(result.fileCount).toBe(1);
  });

  it('should load a .markdown file with the extension dropped from its slug', async () => {
    const content = createTempCorpus({
      'notes/long-form.markdown': '---\ntitle: Long form\n---\nBody.\n',
      'notes/ignored.txt': '---\ntitle: Not content\n---\n',
    });

    const result = await loadCorpus(content);

    const article = previewArticle(result, 'long-form');
    expect(article.title).toBe('Long form');
    expect(article.sourcePath).toBe('notes/long-form.markdown');
    expect(result.corpus.preview.articles.length).toBe(1);
    expect(result.corpus.diagnostics).toEqual([]);
  });

  it('should find .md and .markdown files in any case, recursively, sorted by relative path with / separators', async () => {
    const content = createTempCorpus({
      'b.md': 'b',
      'A.MD': 'A',
      'z/deeper/c.Markdown': 'c',
      'a/d.md': 'd',
      'notes.txt': 'no',
      'README.mdx': 'no',
    });

    const { files, diagnostics } = await scanContent(content, { maxFileBytes: 100 });

    expect(files.map((file) => [file.relativePath, file.size])).toEqual([
      ['A.MD', 1],
      ['a/d.md', 1],
      ['b.md', 1],
      ['z/deeper/c.Markdown', 1],
    ]);
    expect(files[3]!.absolutePath).toBe(path.join(content, 'z', 'deeper', 'c.Markdown'));
    expect(diagnostics).toEqual([]);
  });

  it('should find nothing in an empty directory', async () => {
    expect(await scanContent(createTempDirectory(), { maxFileBytes: 100 })).toEqual({ files: [], diagnostics: [] });
  });

  it('should reject a root that does not exist or is not a directory', async () => {
    const content = createTempCorpus({ 'file.md': 'x' });
    await expect(scanContent(path.join(content, 'missing'), { maxFileBytes: 100 })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(scanContent(path.join(content, 'file.md'), { maxFileBytes: 100 })).rejects.toThrow(
      `${path.join(content, 'file.md')} is not a directory`,
    );
  });
});
