import type { Article, Diagnostic } from './model.js';
import { compareNewestFirst } from './order.js';
import { CorpusView, UrlKeys } from './view.js';

/** The loaded content: a public view (published articles only), a preview view (all), and what was wrong. */
export interface Corpus {
  readonly public: CorpusView;
  readonly preview: CorpusView;
  readonly diagnostics: readonly Diagnostic[];
}

/** Builds both views of a corpus from normalized articles (slugs already unique), sorting once. */
export function createCorpus(articles: readonly Article[], diagnostics: readonly Diagnostic[]): Corpus {
  const newestFirst = [...articles].sort(compareNewestFirst);
  const urlKeys = new UrlKeys();
  return Object.freeze({
    public: new CorpusView(
      'public',
      newestFirst.filter((article) => article.published),
      urlKeys,
    ),
    preview: new CorpusView('preview', newestFirst, urlKeys),
    diagnostics: Object.freeze([...diagnostics]),
  });
}
