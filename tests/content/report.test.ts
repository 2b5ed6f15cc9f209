import { beforeAll, describe, expect, it } from 'vitest';
import { type LoadResult, loadCorpus } from '../../src/content/load.js';
import type { Diagnostic } from '../../src/content/model.js';
import { countBySeverity, formatDiagnostic, formatLoadLine, formatProgressLine, formatSummary } from '../../src/content/report.js';
import { createTempCorpus } from '../support.js';

const WARNING: Diagnostic = {
  file: 'news/b.md',
  field: 'related[2].webUrl',
  severity: 'warning',
  message: 'expected an absolute http(s) URL, found "x"; the field is dropped',
};
const ERROR: Diagnostic = { file: 'c.md', field: null, severity: 'error', message: 'the front matter is not closed' };

/**
 * One published article, one draft with an invalid quality (a warning) and a topic of its own, and
 * one file without a title (an error). Each cites the other, so the published one resolves its
 * related entry only in preview.
 */
let result: LoadResult;
beforeAll(async () => {
  result = await loadCorpus(
    createTempCorpus({
      'a.md': [
        '---',
        'title: Alpha',
        'webUrl: https://alpha.example/one',
        'provider:',
        '  name: Alpha News',
        '  domain: alpha.example',
        'topics: [AI, Robotics]',
        'related:',
        '  - title: Beta',
        '    webUrl: https://beta.example/two',
        '---',
        'Body of a.',
      ].join('\n'),
      'b.md': [
        '---',
        'title: Beta',
        'webUrl: https://beta.example/two',
        'published: false',
        'quality: lots',
        'topics: [AI, Drafts]',
        'related:',
        '  - title: Alpha',
        '    webUrl: https://alpha.example/one',
        '---',
        'Body of b.',
      ].join('\n'),
      'c.md': '---\nexcerpt: no title here\n---\nBody of c.',
    }),
  );
});

describe('formatDiagnostic', () => {
  it('should write a field problem as `file: field: severity: message`', () => {
    expect(formatDiagnostic(WARNING)).toBe(
      'news/b.md: related[2].webUrl: warning: expected an absolute http(s) URL, found "x"; the field is dropped',
    );
  });

  it('should write a whole-file problem as `file: severity: message`', () => {
    expect(formatDiagnostic(ERROR)).toBe('c.md: error: the front matter is not closed');
  });

  it('should write the diagnostics of a load', () => {
    expect(result.corpus.diagnostics.map(formatDiagnostic)).toEqual([
      'b.md: quality: warning: expected a whole number from 0 to 100000, found "lots"; the field is dropped',
      'c.md: title: error: expected a non-empty string, found no title; the file is skipped',
    ]);
  });
});

describe('countBySeverity', () => {
  it.each([
    ['no diagnostics', [], { errors: 0, warnings: 0 }],
    ['one warning', [WARNING], { errors: 0, warnings: 1 }],
    ['one error', [ERROR], { errors: 1, warnings: 0 }],
    ['a mix', [WARNING, ERROR, WARNING, ERROR, ERROR], { errors: 3, warnings: 2 }],
  ])('should count %s', (_name, diagnostics, expected) => {
    expect(countBySeverity(diagnostics)).toEqual(expected);
  });
});

describe('formatSummary', () => {
  it('should give one `name: value` line per figure: preview counts, public counts where named, diagnostics and time', () => {
    const lines = formatSummary('content', result).split('\n');
    expect(lines.slice(0, -1)).toEqual([
      'directory: content',
      'files: 3',
      'articles: 2',
      'published: 1',
      'drafts: 1',
      'providers: 2',
      'topics: 3',
      'related entries: 2',
      'related resolved: 2',
      'related resolved publicly: 0',
      'errors: 1',
      'warnings: 1',
    ]);
    expect(lines.at(-1)).toMatch(/^load ms: \d+$/);
    expect(lines.at(-1)).toBe(`load ms: ${Math.round(result.timings.totalMs)}`);
  });
});

describe('formatLoadLine', () => {
  it('should give one line with the public counts, the drafts, the diagnostics and the time', () => {
    const line = formatLoadLine('/srv/content', result);
    expect(line).toMatch(/^loaded \/srv\/content: 1 articles, 1 drafts, 2 providers, 2 topics, 1 errors, 1 warnings in \d+ ms$/);
    expect(line.endsWith(` in ${Math.round(result.timings.totalMs)} ms`)).toBe(true);
  });
});

describe('formatProgressLine', () => {
  it.each([
    [{ filesDone: 120_000, filesTotal: 1_000_000 }, 15_000, 'loading: 120,000 of 1,000,000 files (12 %), 8,000 files/s, about 110 s left'],
    [{ filesDone: 0, filesTotal: 5000 }, 5000, 'loading: 0 of 5,000 files (0 %), 0 files/s, time left unknown'],
    [{ filesDone: 0, filesTotal: 0 }, 0, 'loading: 0 of 0 files (100 %), 0 files/s, time left unknown'],
  ])('should describe %j after %d ms as %j', (progress, elapsedMs, line) => {
    expect(formatProgressLine(progress, elapsedMs)).toBe(line);
  });
});
