/**
 * What the corpus keeps of an article to index, sort, filter and resolve it without reading its
 * record: computed once when the file is parsed (on the parse thread), stored with the file's entry
 * in the content store, and read back at the next start instead of parsing the file again.
 */
import type { Article, EpochMs, ProviderRef, TopicRef } from './model.js';
import { foldAccents } from './text.js';
import { urlKeyOfHref } from './urls.js';

/** What the index needs of one related entry: the URL keys it resolves by, its provider, its image count. */
export interface RelatedSummary {
  readonly urlKeys: readonly string[];
  readonly provider: ProviderRef | null;
  readonly imageCount: number;
}

/** What the index needs of one article. Plain data: it crosses threads and is stored. */
export interface ArticleSummary {
  readonly slug: string;
  readonly sourcePath: string;
  readonly title: string;
  /** Title and excerpt, accent-folded and lowercase: what `filter.search` matches words in. */
  readonly searchText: string;
  readonly publishedDateTime: EpochMs | null;
  readonly quality: number | null;
  readonly heat: number | null;
  readonly published: boolean;
  readonly category: string | null;
  readonly type: string | null;
  readonly provider: ProviderRef | null;
  readonly topics: readonly TopicRef[];
  readonly imageCount: number;
  /** The keys of every URL the article is reachable by (see urlKeyOfHref): web, original, AMP, CDN AMP. */
  readonly urlKeys: readonly string[];
  readonly related: readonly RelatedSummary[];
}

/** The summary of a normalized article. */
export function summarize(article: Article): ArticleSummary {
  return {
    slug: article.slug,
    sourcePath: article.sourcePath,
    title: article.title,
    searchText: searchTextOf(article.title, article.excerpt),
    publishedDateTime: article.publishedDateTime,
    quality: article.quality,
    heat: article.heat,
    published: article.published,
    category: article.category,
    type: article.type,
    provider: article.provider,
    topics: article.topics,
    imageCount: article.images.length,
    urlKeys: urlKeysOf([article.webUrl, article.originalUrl, article.ampWebUrl, article.cdnAmpWebUrl]),
    related: article.related.map((entry) => ({
      urlKeys: urlKeysOf([entry.webUrl, entry.ampWebUrl, entry.cdnAmpWebUrl]),
      provider: entry.provider,
      imageCount: entry.images.length,
    })),
  };
}

/** The text `filter.search` matches words in: title and excerpt, folded by foldForSearch. */
export function searchTextOf(title: string, excerpt: string | null): string {
  return foldForSearch(`${title}\n${excerpt ?? ''}`);
}

/**
 * Text as search compares it: accents removed, lowercase, typographic quotes and dashes as their
 * ASCII forms (`Pleadra’s` matches `pleadra's`). Mostly Latin text then takes one byte per
 * character in memory instead of two (oneByteCopy).
 */
export function foldForSearch(text: string): string {
  return oneByteCopy(
    foldAccents(text)
      .toLowerCase()
      .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
      .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
      .replace(/[\u2010-\u2015]/g, '-'),
  );
}

/** A UTF-16 code unit above 0xFF (surrogates included). */
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/**
 * The text as a string of one byte per character when every character fits (else the text
 * itself). V8 keeps a string derived from a two-byte string, such as a slice or a replacement of a
 * file's text that has one curly quote, at two bytes per character even when nothing in it needs
 * them; at 100,000 generated articles the folded texts took 32 MB more of heap and snapshot so.
 */
export function oneByteCopy(text: string): string {
  return BEYOND_LATIN1.test(text) ? text : Buffer.from(text, 'latin1').toString('latin1');
}

function urlKeysOf(urls: readonly (string | null)[]): string[] {
  const keys: string[] = [];
  for (const url of urls) {
    const key = url ? urlKeyOfHref(url) : null;
    if (key !== null) keys.push(key);
  }
  return keys;
}
