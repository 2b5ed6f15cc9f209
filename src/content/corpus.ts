import type { Article, Diagnostic } from './model.js';
import { compareNewestFirst } from './order.js';
import { HeapRecords, StoredArticle } from './stored-article.js';
import { summarize } from './summary.js';
import { ArticleIndex, CorpusView, type IndexedArticle } from './view.js';

/** The loaded content: a public view (published articles only), a preview view (all), and what was wrong. */
export interface Corpus {
  readonly public: CorpusView;
  readonly preview: CorpusView;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Which version of the content this is: the start of the fingerprint of the files it was loaded
   * from, then `.1`, `.2`, ... for each live update (live.ts). Two corpora loaded from the same
   * files have the same version.
   */
  readonly version: string;
}

/** The version of a corpus loaded from files with this fingerprint (snapshot.ts: fingerprintOf). */
export function versionOfFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}

/** Builds both views of a corpus from its indexed articles (slugs already unique), sorting once. */
export function createCorpus(indexed: readonly IndexedArticle[], diagnostics: readonly Diagnostic[], version = '0'): Corpus {
  const newestFirst = [...indexed].sort((a, b) => compareNewestFirst(a.article, b.article));
  const index = ArticleIndex.build(newestFirst);
  const preview = CorpusView.build('preview', newestFirst, index);
  return Object.freeze({
    public: CorpusView.build(
      'public',
      newestFirst.filter(({ article }) => article.published),
      index,
      preview,
    ),
    preview,
    diagnostics: Object.freeze([...diagnostics]),
    version,
  });
}

/** Indexes normalized articles held in memory: each as a corpus article over its own record. */
export function indexArticles(articles: readonly Article[]): IndexedArticle[] {
  const records = new HeapRecords();
  return articles.map((article) => {
    records.add(article);
    const summary = summarize(article);
    return { article: new StoredArticle(summary, records), summary };
  });
}
