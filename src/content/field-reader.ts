import type { Diagnostic, EpochMs } from './model.js';
import { detach, toPlainText } from './text.js';
import { parseHttpUrl } from './urls.js';

/** What reading fields needs besides the file. */
export interface FieldReaderOptions {
  /** Base for relative URLs (provider logos at `/assets/...`); null drops them with a warning. */
  readonly siteUrl: string | null;
  /**
   * Identical records met so far, shared by every file of one load (see FieldReader.share): most
   * provider and topic records repeat across thousands of articles and related entries.
   */
  readonly shared?: Map<string, object>;
  /**
   * Identical strings met so far, kept once per load: a related entry usually repeats the title,
   * excerpt and URLs of the corpus article it points to (about a third of all text in the real sample).
   */
  readonly strings?: Map<string, string>;
}

/** Whole numbers in a range: what the corpus means by a score or a size. */
export interface WholeNumberRange {
  readonly min: number;
  readonly max: number;
}

/** A mapping read from YAML; only its own keys are ever looked at. */
export type Fields = Readonly<Record<string, unknown>>;

/**
 * Reads typed values out of one file's front matter and reports, per field, what it had to drop or
 * default. Every getter returns a fresh value; nothing of the parsed YAML is kept by reference.
 * It knows no field names: the article rules (article.ts) say which fields to read and how.
 */
export class FieldReader {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly options: FieldReaderOptions,
  ) {}

  /** Records a warning: the field was dropped or defaulted. */
  warn(field: string, message: string): void {
    this.diagnostics.push({ file: this.file, field, severity: 'warning', message: detach(message) });
  }

  /** Records an error: the file is skipped. */
  error(field: string | null, message: string): void {
    this.diagnostics.push({ file: this.file, field, severity: 'error', message: detach(message) });
  }

  /** A non-empty plain-text string, or null (with a warning when the value was of another type). */
  text(fields: Fields, key: string, path: string): string | null {
    const value = own(fields, key);
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') {
      this.warn(path, `expected a string, found ${describe(value)}; the field is dropped`);
      return null;
    }
    const text = toPlainText(value).trim();
    return text === '' ? null : this.keep(text);
  }

  /** A string to keep: copied out of the parsed file (detach), or the identical one kept before. */
  keep(text: string): string {
    const strings = this.options.strings;
    if (strings === undefined) return detach(text);
    const known = strings.get(text);
    if (known !== undefined) return known;
    const kept = detach(text);
    strings.set(kept, kept);
    return kept;
  }

  /** A date from a YAML timestamp or a date string, or null with a warning when unparseable. */
  date(fields: Fields, key: string, path: string): EpochMs | null {
    const value = own(fields, key);
    if (value === undefined || value === null) return null;
    let date: Date | null = null;
    if (value instanceof Date) date = value;
    else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) date = new Date(value.trim());
    if (date === null || Number.isNaN(date.getTime())) {
      this.warn(path, `expected an ISO-8601 date-time such as 2024-03-14T09:30:00Z, found ${describe(value)}; the field is dropped`);
      return null;
    }
    return date.getTime();
  }

  /** An absolute http(s) URL, or null with a warning. */
  url(fields: Fields, key: string, path: string): string | null {
    const value = own(fields, key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') {
      this.warn(path, `expected an absolute http(s) URL, found ${describe(value)}; the field is dropped`);
      return null;
    }
    const result = parseHttpUrl(value, this.options.siteUrl);
    if (!result.ok) {
      this.warn(path, `${result.reason}; the field is dropped`);
      return null;
    }
    return this.keep(result.url);
  }

  /** A whole number within a range, or null with a warning. */
  number(fields: Fields, key: string, path: string, range: WholeNumberRange): number | null {
    const value = own(fields, key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      this.warn(path, `expected a whole number from ${range.min} to ${range.max}, found ${describe(value)}; the field is dropped`);
      return null;
    }
    return value;
  }

  /** A boolean, or null with a warning when the value is of another type. */
  boolean(fields: Fields, key: string, path: string): boolean | null {
    const value = own(fields, key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'boolean') {
      this.warn(path, `expected true or false, found ${describe(value)}; the field is dropped`);
      return null;
    }
    return value;
  }

  /** A list of non-empty strings; a lone string is a one-item list (with a warning). */
  strings(fields: Fields, key: string, path: string): string[] {
    const value = own(fields, key);
    if (value === undefined || value === null) return [];
    if (typeof value === 'string') {
      this.warn(path, `expected a list of strings, found a single string; read as a one-item list`);
      return this.strings({ [key]: [value] }, key, path);
    }
    if (!Array.isArray(value)) {
      this.warn(path, `expected a list of strings, found ${describe(value)}; the field is dropped`);
      return [];
    }
    const items: string[] = [];
    value.forEach((item, index) => {
      const text = typeof item === 'string' ? toPlainText(item).trim() : '';
      if (text === '') this.warn(`${path}[${index}]`, `expected a non-empty string, found ${describe(item)}; the item is dropped`);
      else if (!items.includes(text)) items.push(this.keep(text));
    });
    return items;
  }

  /** A list of mappings; anything else is dropped with a warning. */
  mappings(fields: Fields, key: string, path: string): { fields: Fields; path: string }[] {
    const value = own(fields, key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.warn(path, `expected a list, found ${describe(value)}; the field is dropped`);
      return [];
    }
    const items: { fields: Fields; path: string }[] = [];
    value.forEach((item, index) => {
      if (isMapping(item)) items.push({ fields: item, path: `${path}[${index}]` });
      else this.warn(`${path}[${index}]`, `expected a mapping, found ${describe(item)}; the item is dropped`);
    });
    return items;
  }

  /** A nested mapping, or null with a warning when the value is of another type. */
  mapping(fields: Fields, key: string, path: string): Fields | null {
    const value = own(fields, key);
    if (value === undefined || value === null) return null;
    if (!isMapping(value)) {
      this.warn(path, `expected a mapping, found ${describe(value)}; the field is dropped`);
      return null;
    }
    return value;
  }

  /** The record already built for this key in this load, or a new one from `build`. */
  share<T extends object>(key: string, build: () => T): T {
    const shared = this.options.shared;
    if (shared === undefined) return build();
    const known = shared.get(key) as T | undefined;
    if (known !== undefined) return known;
    const record = build();
    shared.set(key, record);
    return record;
  }

  secret(fields: Fields, key: string): string | null {
    const value = own(fields, key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') {
      this.warn(key, `expected a string, found a value of another type; the field is dropped`);
      return null;
    }
    return detach(value);
  }

  /** Front-matter keys this service does not know, copied into a fresh JSON object. */
}

/** The value of an own key of a mapping, or undefined: inherited keys (`__proto__`) are never read. */
export function own(fields: Fields, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

/** True for a YAML mapping (not a list, not a date). */
function isMapping(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A short, safe description of a found value for a diagnostic message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return `the date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${String(value)}`;
}
