import { describe, FieldReader, type FieldReaderOptions, type Fields, own, type WholeNumberRange } from './field-reader.js';
import type { Article, Diagnostic, Image, JsonValue, ProviderRef, RelatedEntry, TopicRef } from './model.js';
import { slugify } from './slug.js';
import { detach } from './text.js';
import { hostOf, normalizeDomain } from './urls.js';

/** What normalization needs besides the file. */
export type NormalizeOptions = FieldReaderOptions;

/** The source of one article: where it came from and what it holds. */
export interface ArticleSource {
  readonly slug: string;
  readonly sourcePath: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/** The result of normalizing one file: the article (null when the file is unusable) and its diagnostics. */
export interface NormalizedArticle {
  readonly article: Article | null;
  readonly diagnostics: readonly Diagnostic[];
}

const KNOWN_KEYS = new Set([
  'category',
  'title',
  'excerpt',
  'publishedDateTime',
  'updatedDateTime',
  'originalUrl',
  'webUrl',
  'ampWebUrl',
  'cdnAmpWebUrl',
  'type',
  'quality',
  'heat',
  'published',
  'locale',
  'provider',
  'topics',
  'tags',
  'categories',
  'images',
  'related',
  'secured',
  'id',
  'slug',
]);

// Most lists are empty (tags, categories, an entry's images): they all share one empty list.
const EMPTY_LIST: readonly never[] = Object.freeze([]);

/** The list frozen, or the shared empty list. */
function frozenList<T>(items: T[]): readonly T[] {
  return items.length === 0 ? EMPTY_LIST : Object.freeze(items);
}

const QUALITY_RANGE: WholeNumberRange = { min: 0, max: 100_000 };
const HEAT_RANGE: WholeNumberRange = { min: -1, max: 1_000_000 };
const PIXEL_RANGE: WholeNumberRange = { min: 1, max: 100_000 };
const LOCALE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;

/** The article rules: which front-matter fields an article has and how each is read (DESIGN.md §2). */
class ArticleFieldReader extends FieldReader {
  /** Images with an absolute URL; an image without one is dropped with a warning. */
  images(fields: Fields, key: string, path: string): Image[] {
    const images: Image[] = [];
    for (const item of this.mappings(fields, key, path)) {
      const url = this.url(item.fields, 'url', `${item.path}.url`);
      if (url === null) {
        if (own(item.fields, 'url') === undefined) this.warn(`${item.path}.url`, 'expected an image URL, found none; the image is dropped');
        continue;
      }
      images.push(
        Object.freeze({
          url,
          width: this.number(item.fields, 'width', `${item.path}.width`, PIXEL_RANGE),
          height: this.number(item.fields, 'height', `${item.path}.height`, PIXEL_RANGE),
          isCached: this.boolean(item.fields, 'isCached', `${item.path}.isCached`),
          title: this.text(item.fields, 'title', `${item.path}.title`),
          attribution: this.text(item.fields, 'attribution', `${item.path}.attribution`),
        }),
      );
    }
    return images;
  }

  /** The provider: its domain from `domain`, else from the host of `fallbackUrl`. */
  provider(fields: Fields, path: string, fallbackUrl: string | null): ProviderRef | null {
    const provider = this.mapping(fields, 'provider', path);
    const name = provider === null ? null : this.text(provider, 'name', `${path}.name`);
    let domain: string | null = null;
    const rawDomain = provider === null ? undefined : own(provider, 'domain');
    if (typeof rawDomain === 'string') {
      domain = normalizeDomain(rawDomain);
      if (domain === null)
        this.warn(
          `${path}.domain`,
          `expected a domain name such as example.com, found ${describe(rawDomain)}; the domain of webUrl is used`,
        );
    } else if (rawDomain !== undefined && rawDomain !== null) {
      this.warn(`${path}.domain`, `expected a domain name such as example.com, found ${describe(rawDomain)}; the domain of webUrl is used`);
    }
    domain ??= fallbackUrl === null ? null : hostOf(fallbackUrl);
    if (domain === null) {
      if (provider !== null)
        this.warn(path, 'expected a provider domain (or a webUrl to take it from), found neither; the provider is dropped');
      return null;
    }
    const images = provider === null ? [] : this.images(provider, 'images', `${path}.images`);
    return this.share(`provider\n${domain}\n${name}\n${images.map((image) => JSON.stringify(image)).join('\n')}`, () =>
      Object.freeze({ name, domain, images: frozenList(images) }),
    );
  }

  /** The record already built for this key in this load, or a new one. */

  /** Topics, each once by slug; a name without letters or digits is dropped. */
  topics(fields: Fields): TopicRef[] {
    const topics: TopicRef[] = [];
    this.strings(fields, 'topics', 'topics').forEach((name, index) => {
      const slug = slugify(name);
      if (slug === '')
        this.warn(`topics[${index}]`, `expected a topic name with letters or digits, found ${describe(name)}; the topic is dropped`);
      else if (!topics.some((topic) => topic.slug === slug)) topics.push(this.share(`topic\n${name}`, () => Object.freeze({ name, slug })));
    });
    return topics;
  }

  /** Related entries with a title; one without is dropped. */
  related(fields: Fields): RelatedEntry[] {
    const entries: RelatedEntry[] = [];
    for (const item of this.mappings(fields, 'related', 'related')) {
      const title = this.text(item.fields, 'title', `${item.path}.title`);
      if (title === null) {
        this.warn(`${item.path}.title`, 'expected a non-empty title, found none; the entry is dropped');
        continue;
      }
      const webUrl = this.url(item.fields, 'webUrl', `${item.path}.webUrl`);
      entries.push(
        Object.freeze({
          title,
          excerpt: this.text(item.fields, 'excerpt', `${item.path}.excerpt`),
          publishedDateTime: this.date(item.fields, 'publishedDateTime', `${item.path}.publishedDateTime`),
          webUrl,
          ampWebUrl: this.url(item.fields, 'ampWebUrl', `${item.path}.ampWebUrl`),
          cdnAmpWebUrl: this.url(item.fields, 'cdnAmpWebUrl', `${item.path}.cdnAmpWebUrl`),
          type: this.text(item.fields, 'type', `${item.path}.type`),
          quality: this.number(item.fields, 'quality', `${item.path}.quality`, QUALITY_RANGE),
          provider: this.provider(item.fields, `${item.path}.provider`, webUrl),
          images: frozenList(this.images(item.fields, 'images', `${item.path}.images`)),
        }),
      );
    }
    return entries;
  }

  /** Only a real boolean counts; anything else is a draft, so a typo never publishes (fail closed). */
  published(fields: Fields): boolean {
    const value = own(fields, 'published');
    if (value === undefined) return true;
    if (typeof value === 'boolean') return value;
    this.warn('published', `expected true or false, found ${describe(value)}; the article is treated as a draft`);
    return false;
  }

  /** A language tag such as en-US, or null with a warning. */
  locale(fields: Fields): string | null {
    const locale = this.text(fields, 'locale', 'locale');
    if (locale !== null && !LOCALE.test(locale)) {
      this.warn('locale', `expected a language tag such as en-US, found ${describe(locale)}; the field is dropped`);
      return null;
    }
    return locale;
  }

  /** Opaque: kept as given, never described in a message. */
  extra(fields: Fields): { [key: string]: JsonValue } | null {
    const entries = Object.keys(fields)
      .filter((key) => !KNOWN_KEYS.has(key))
      .map((key): [string, JsonValue] => [detach(key), toJson(fields[key])]);
    return entries.length === 0 ? null : deepFreeze(Object.fromEntries(entries));
  }
}

/**
 * Normalizes one parsed file into an Article, by the rules of DESIGN.md §2: tolerant (a bad
 * optional field is dropped with a warning) except for the title, without which the file is an error.
 */
export function normalizeArticle(source: ArticleSource, options: NormalizeOptions): NormalizedArticle {
  const read = new ArticleFieldReader(source.sourcePath, options);
  const fields = source.data;
  const title = read.text(fields, 'title', 'title');
  if (title === null) {
    const found = own(fields, 'title');
    read.error('title', `expected a non-empty string, found ${found === undefined ? 'no title' : describe(found)}; the file is skipped`);
    return { article: null, diagnostics: read.diagnostics };
  }
  for (const key of ['id', 'slug']) {
    if (own(fields, key) !== undefined) {
      read.warn(key, `the ${key} comes from the file name ("${source.slug}"); the front-matter value is ignored`);
    }
  }
  const webUrl = read.url(fields, 'webUrl', 'webUrl');
  const heat = read.number(fields, 'heat', 'heat', HEAT_RANGE);
  const body = source.body.trim() === '' ? null : detach(source.body);
  const article: Article = {
    kind: 'article',
    slug: source.slug,
    sourcePath: source.sourcePath,
    title,
    excerpt: read.text(fields, 'excerpt', 'excerpt'),
    body,
    category: read.text(fields, 'category', 'category'),
    type: read.text(fields, 'type', 'type'),
    locale: read.locale(fields),
    publishedDateTime: read.date(fields, 'publishedDateTime', 'publishedDateTime'),
    updatedDateTime: read.date(fields, 'updatedDateTime', 'updatedDateTime'),
    originalUrl: read.url(fields, 'originalUrl', 'originalUrl'),
    webUrl,
    ampWebUrl: read.url(fields, 'ampWebUrl', 'ampWebUrl'),
    cdnAmpWebUrl: read.url(fields, 'cdnAmpWebUrl', 'cdnAmpWebUrl'),
    quality: read.number(fields, 'quality', 'quality', QUALITY_RANGE),
    heat: heat === -1 ? null : heat,
    published: read.published(fields),
    provider: read.provider(fields, 'provider', webUrl),
    topics: frozenList(read.topics(fields)),
    tags: frozenList(read.strings(fields, 'tags', 'tags')),
    categories: frozenList(read.strings(fields, 'categories', 'categories')),
    images: frozenList(read.images(fields, 'images', 'images')),
    related: frozenList(read.related(fields)),
    secured: read.secret(fields, 'secured'),
    extra: read.extra(fields),
  };
  return { article: Object.freeze(article), diagnostics: read.diagnostics };
}

/** A JSON copy of a parsed YAML value (already checked to be finite and acyclic). */
function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string') return detach(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).map((key) => [detach(key), toJson((value as Fields)[key])]));
  }
  return null;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
