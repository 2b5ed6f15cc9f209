/**
 * What a live corpus needs of its content besides the records: each file's entry (what loading it
 * produced) and, for the incremental update, which files own a slug, which own a URL key and which
 * link to one from a related entry. The content store keeps these on disk (store.ts); HeapEntries
 * keeps them in memory for a corpus loaded without a store.
 */
import type { FileToStore, LoadedFile } from './store.js';
import { HeapRecords, type RecordSource } from './stored-article.js';
import type { ArticleSummary } from './summary.js';
import { nearKeyOf } from './urls.js';

/**
 * The kinds of key the update looks files up by: the slug, a URL key the article has, a URL key a
 * related entry has, and the near keys (urls.ts: nearKeyOf) of those of them with a query.
 */
export type KeyKind = 'slug' | 'url' | 'link' | 'near-url' | 'near-link';

/** Every key of each kind that a file's summary holds, without repeats. */
export function keysOfSummary(summary: ArticleSummary | null): Map<KeyKind, Set<string>> {
  const keys = new Map<KeyKind, Set<string>>([
    ['slug', new Set()],
    ['url', new Set()],
    ['link', new Set()],
    ['near-url', new Set()],
    ['near-link', new Set()],
  ]);
  if (summary === null) return keys;
  keys.get('slug')!.add(summary.slug);
  const add = (kind: KeyKind, nearKind: KeyKind, key: string) => {
    keys.get(kind)!.add(key);
    const near = nearKeyOf(key);
    if (near !== null) keys.get(nearKind)!.add(near);
  };
  for (const key of summary.urlKeys) add('url', 'near-url', key);
  for (const entry of summary.related) for (const key of entry.urlKeys) add('link', 'near-link', key);
  return keys;
}

/** The content of a corpus as the update reads and writes it; see the module comment. */
export interface ContentEntries extends RecordSource {
  /** The entry of this file, or undefined when it has none. */
  entry(relativePath: string): LoadedFile | undefined;
  /** Whether this file has an entry (without decoding it). */
  has(relativePath: string): boolean;
  /** Every file with an entry whose path starts with this prefix (a folder with its `/`). */
  pathsUnder(prefix: string): string[];
  /** Files whose current entry holds this key. */
  pathsWithKey(kind: KeyKind, key: string): string[];
  /**
   * Writes these entries (and records), replacing what the files had; `current`, when the caller
   * has read them already, holds the files' entries until now (undefined for none).
   */
  write(files: readonly FileToStore[], current?: ReadonlyMap<string, LoadedFile | undefined>): void;
  /** Removes the entries and records of these files. */
  remove(relativePaths: readonly string[]): void;
  /** Reads from the latest write on. */
  refresh(): void;
}

/** Entries, records and keys held in memory: the content of a corpus loaded without a content store. */
export class HeapEntries extends HeapRecords implements ContentEntries {
  private readonly entries = new Map<string, LoadedFile>();
  private readonly keys = new Map<string, Set<string>>();

  entry(relativePath: string): LoadedFile | undefined {
    return this.entries.get(relativePath);
  }

  has(relativePath: string): boolean {
    return this.entries.has(relativePath);
  }

  pathsUnder(prefix: string): string[] {
    return [...this.entries.keys()].filter((relativePath) => relativePath.startsWith(prefix));
  }

  pathsWithKey(kind: KeyKind, key: string): string[] {
    return [...(this.keys.get(`${kind}\0${key}`) ?? [])];
  }

  write(files: readonly FileToStore[]): void {
    for (const file of files) {
      this.forget(file.relativePath);
      this.entries.set(file.relativePath, file.loaded);
      if (file.article !== null) this.add(file.article);
      else if (file.loaded.summary === null) this.delete(file.relativePath);
      for (const [kind, keys] of keysOfSummary(file.loaded.summary)) {
        for (const key of keys) {
          const name = `${kind}\0${key}`;
          let paths = this.keys.get(name);
          if (paths === undefined) {
            paths = new Set();
            this.keys.set(name, paths);
          }
          paths.add(file.relativePath);
        }
      }
    }
  }

  remove(relativePaths: readonly string[]): void {
    for (const relativePath of relativePaths) {
      this.forget(relativePath);
      this.entries.delete(relativePath);
      this.delete(relativePath);
    }
  }

  refresh(): void {}

  /** Drops the keys of a file's current entry. */
  private forget(relativePath: string): void {
    for (const [kind, keys] of keysOfSummary(this.entries.get(relativePath)?.summary ?? null)) {
      for (const key of keys) {
        const name = `${kind}\0${key}`;
        const paths = this.keys.get(name);
        paths?.delete(relativePath);
        if (paths?.size === 0) this.keys.delete(name);
      }
    }
  }
}
