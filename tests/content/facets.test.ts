import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarKey, facetsOf } from '../../src/content/facets.js';
import { CONTENT_DIR, corpusOf } from '../support.js';

describe('calendarKey', () => {
  it('should give the UTC year and month of any instant, as Date does', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (instant) => {
        const iso = new Date(instant).toISOString();
        expect(calendarKey(instant, 'years')).toBe(iso.slice(0, 4));
        expect(calendarKey(instant, 'months')).toBe(iso.slice(0, 7));
      }),
    );
  });

  it('should put the last millisecond of a month in that month and the next one in the next', () => {
    expect(calendarKey(Date.UTC(2024, 1, 29, 23, 59, 59, 999), 'months')).toBe('2024-02');
    expect(calendarKey(Date.UTC(2024, 2, 1), 'months')).toBe('2024-03');
    expect(calendarKey(Date.UTC(1969, 11, 31, 23, 59, 59, 999), 'years')).toBe('1969');
  });
});

describe('facetsOf', () => {
  it('should count a list under a filter once per view, and apart for another filter or view', async () => {
    const corpus = await corpusOf(CONTENT_DIR);
    const { articles } = corpus.public;
    const once = facetsOf(articles, { minQuality: 1 }, corpus.public);
    expect(facetsOf(articles, { minQuality: 1 }, corpus.public)).toBe(once);
    expect(facetsOf(articles, { minQuality: 2 }, corpus.public)).not.toBe(once);
    expect(facetsOf(articles, { minQuality: 1 }, corpus.preview)).not.toBe(once);
    const counted = once.values('years').reduce((sum, value) => sum + value.count, 0);
    const dated = articles.filter((article) => article.quality !== null && article.quality >= 1 && article.publishedDateTime !== null);
    expect(counted).toBe(dated.length);
  });
});
