/**
 * The records the content layer produces. Plain data: every record is frozen once built, and none
 * holds a reference to parsed YAML.
 */

import type { ChunkedList } from './sorted-list.js';

/** How bad a diagnostic is: `error` skips the file, `warning` drops or defaults one field. */
export type Severity = 'error' | 'warning';

/** One problem found in one content file: where, which field, what was expected and what was found. */
export interface Diagnostic {
  /** Path of the file relative to the content directory, with `/` separators. */
  readonly file: string;
  /** Dotted path of the front-matter field (`related[2].webUrl`), or null for the whole file. */
  readonly field: string | null;
  readonly severity: Severity;
  /** What was expected and what was found, never the value of a secret field. */
  readonly message: string;
}

/** An image attached to an article, a related entry or a provider. */
export interface Image {
  readonly url: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly isCached: boolean | null;
  readonly title: string | null;
  readonly attribution: string | null;
}

/** A publisher as named by one article: identity is its normalized domain. */
export interface ProviderRef {
  readonly name: string | null;
  readonly domain: string;
  readonly images: readonly Image[];
}

/** A topic as named by one article: identity is the slug of its name. */
export interface TopicRef {
  readonly name: string;
  readonly slug: string;
}

/**
 * A point in time in milliseconds since the Unix epoch (UTC), as dates are kept: a number costs a
 * few bytes where a Date object costs about a hundred, and there are several per article.
 */
export type EpochMs = number;

/** An embedded summary of another article, as stored in an article's `related` list. */
export interface RelatedEntry {
  readonly title: string;
  readonly excerpt: string | null;
  readonly publishedDateTime: EpochMs | null;
  readonly webUrl: string | null;
  readonly ampWebUrl: string | null;
  readonly cdnAmpWebUrl: string | null;
  readonly type: string | null;
  readonly quality: number | null;
  readonly provider: ProviderRef | null;
  readonly images: readonly Image[];
}

/** A JSON value, as kept for front-matter keys the service does not know. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One valid content file, normalized. */
export interface Article {
  readonly kind: 'article';
  /** The slug: the file name without its extension. */
  readonly slug: string;
  /** Path of the file relative to the content directory, with `/` separators. */
  readonly sourcePath: string;
  readonly title: string;
  readonly excerpt: string | null;
  /** The Markdown after the front matter; null when there is none. */
  readonly body: string | null;
  readonly category: string | null;
  readonly type: string | null;
  readonly locale: string | null;
  readonly publishedDateTime: EpochMs | null;
  readonly updatedDateTime: EpochMs | null;
  readonly originalUrl: string | null;
  readonly webUrl: string | null;
  readonly ampWebUrl: string | null;
  readonly cdnAmpWebUrl: string | null;
  readonly quality: number | null;
  /** Null when absent or when the file says -1, the corpus' "not rated" sentinel. */
  readonly heat: number | null;
  /** False when the file says `published: false` or anything that is not a boolean. */
  readonly published: boolean;
  readonly provider: ProviderRef | null;
  readonly topics: readonly TopicRef[];
  readonly tags: readonly string[];
  readonly categories: readonly string[];
  readonly images: readonly Image[];
  readonly related: readonly RelatedEntry[];
  /** Opaque; never served publicly, never logged. */
  readonly secured: string | null;
  /** Front-matter keys the service does not know, as JSON; null when there are none. */
  readonly extra: { readonly [key: string]: JsonValue } | null;
}

/** A publisher, derived from every article and related entry of a view that names its domain. */
export interface Provider {
  readonly kind: 'provider';
  /** Normalized domain: the provider's identity. */
  readonly domain: string;
  /** The most frequent spelling of its name, or the domain when no mention names it. */
  readonly name: string;
  /** Logos from the first mention that has any. */
  readonly images: readonly Image[];
  /** Articles of the view published by this provider, newest first. */
  readonly articles: ChunkedList<Article>;
}

/** A topic, derived from the articles of a view that list it. */
export interface Topic {
  readonly kind: 'topic';
  /** Slug of its name: the topic's identity. */
  readonly slug: string;
  /** The most frequent spelling of its name. */
  readonly name: string;
  /** Articles of the view with this topic, newest first. */
  readonly articles: ChunkedList<Article>;
}

/** Which articles a view holds. */
export type ViewKind = 'public' | 'preview';

/** Counts that describe a view. */
export interface ViewStats {
  readonly articles: number;
  readonly drafts: number;
  readonly providers: number;
  readonly topics: number;
  readonly relatedEntries: number;
  /** Related entries that resolve to another article of the same view. */
  readonly relatedResolved: number;
}

/** The longest list of each kind in a view: what a query's cost model multiplies by. */
export interface ListMaxima {
  readonly related: number;
  readonly topics: number;
  readonly images: number;
  readonly relatedImages: number;
  readonly providerImages: number;
}
