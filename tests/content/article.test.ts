import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/content/model.js';
import { loadFixtures, previewArticle } from '../support.js';

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

describe('field values that are read with a warning', () => {
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
