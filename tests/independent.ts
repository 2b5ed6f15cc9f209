import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

/** One content file as a plain YAML reading sees it, with no help from the loader under test. */
export interface RawArticle {
  slug: string;
  title: string;
  excerpt: string | null;
  published: boolean;
  publishedTime: number | null;
  quality: number | null;
  heat: number | null;
  category: string | null;
  type: string | null;
  domain: string | null;
  topics: string[];
  imageCount: number;
  webUrl: string | null;
  ampWebUrl: string | null;
  related: { title: string; webUrl: string | null; ampWebUrl: string | null }[];
}

/** Reads every `*.md` file of a flat directory with js-yaml alone, for cross-checks. */
export function readRawArticles(directory: string): RawArticle[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.md'))
    .map((name) => {
      const text = readFileSync(path.join(directory, name), 'utf8');
      const data = yaml.load(text.split(/^---$/m)[1]!) as Record<string, any>;
      const date = data.publishedDateTime === undefined ? null : new Date(data.publishedDateTime).getTime();
      return {
        slug: name.replace(/\.md$/, ''),
        title: data.title,
        excerpt: data.excerpt ?? null,
        published: data.published !== false,
        publishedTime: date,
        quality: typeof data.quality === 'number' ? data.quality : null,
        heat: typeof data.heat === 'number' && data.heat !== -1 ? data.heat : null,
        category: data.category ?? null,
        type: data.type ?? null,
        domain: data.provider?.domain?.replace(/^www\./, '').toLowerCase() ?? null,
        topics: data.topics ?? [],
        imageCount: (data.images ?? []).length,
        webUrl: data.webUrl ?? null,
        ampWebUrl: data.ampWebUrl ?? null,
        related: (data.related ?? []).map((entry: any) => ({
          title: entry.title,
          webUrl: entry.webUrl ?? null,
          ampWebUrl: entry.ampWebUrl ?? null,
        })),
      };
    });
}

/** Sorts by a numeric key (nulls last) in a direction, ties by slug ascending. */
export function sortRaw(
  articles: RawArticle[],
  key: (article: RawArticle) => number | string | null,
  direction: 'ASC' | 'DESC',
): RawArticle[] {
  return [...articles].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      const base = typeof x === 'string' ? x.localeCompare(y as string, 'en', { sensitivity: 'base', numeric: true }) : x - (y as number);
      if (base !== 0) return direction === 'ASC' ? base : -base;
    }
    return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
  });
}

/** Newest first, ties by slug: the default order of every article list. */
export function newestFirst(articles: RawArticle[]): RawArticle[] {
  return sortRaw(articles, (article) => article.publishedTime, 'DESC');
}
