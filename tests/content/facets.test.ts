import { describe, expect, it } from 'vitest';
import { facetsOf } from '../../src/content/facets.js';
import { CONTENT_DIR, corpusOf } from '../support.js';

describe('facetsOf', () => {
  it('should count a list under a filter once per view, and apart for another filter or view', async () => {
    const corpus = await corpusOf(CONTENT_DIR);
    const articles = corpus.public.articleList;
    const once = facetsOf(articles, { minQuality: 1 }, corpus.public);
    expect(facetsOf(articles, { minQuality: 1 }, corpus.public)).toBe(once);
    expect(facetsOf(articles, { minQuality: 2 }, corpus.public)).not.toBe(once);
    expect(facetsOf(articles, { minQuality: 1 }, corpus.preview)).not.toBe(once);
    const counted = once.values('years').reduce((sum, value) => sum + value.count, 0);
    const dated = articles
      .toArray()
      .filter((article) => article.quality !== null && article.quality >= 1 && article.publishedDateTime !== null);
    expect(counted).toBe(dated.length);
  });
});
