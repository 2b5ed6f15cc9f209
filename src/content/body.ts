/**
 * An article's Markdown body as what a page shows: safe HTML, plain text, a word count, a reading
 * time and its headings. Rendering is done on demand and remembered per article version in a cache
 * bounded in bytes (createBodyCache), so loading a corpus never pays for it.
 *
 * The pipeline: markdown-it (CommonMark, GFM tables and strikethrough, links for bare URLs; raw HTML
 * is not parsed, so it stays visible text) -> one pass over the tokens (heading ids, task-list
 * checkboxes, table alignment, plain text) -> markdown-it's renderer -> sanitize-html with an
 * allow-list. The sanitizer is the boundary: whatever markdown-it lets through, only the tags,
 * attributes, classes and URL schemes listed in SANITIZE_OPTIONS reach a client.
 */
import GithubSlugger from 'github-slugger';
import { LRUCache } from 'lru-cache';
import MarkdownIt, { type Token } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import type { Article } from './model.js';

/**
 * What every heading id (and so every anchor) starts with. Ids made from an author's words could
 * otherwise take the name of an element of the page around the body (`comments`, `main`) or of a
 * global variable of its scripts (DOM clobbering); GitHub uses the same prefix. Links inside the
 * body to `#a-heading` are rewritten to `#user-content-a-heading`, so they keep working.
 */
export const HEADING_ID_PREFIX = 'user-content-';

/** Words read per minute, for readingTimeMinutes (Gatsby's and Medium's figure). */
const WORDS_PER_MINUTE = 265;

/**
 * The longest HTML a body may render to, in UTF-16 code units: 8 times its Markdown plus 64 KiB.
 * Ordinary Markdown renders to about 1.2 to 3 times its length; beyond this a body is an
 * amplification attack (a long link reference used thousands of times), and its HTML is refused
 * before it is built.
 */
export function maxHtmlLength(markdownLength: number): number {
  return 8 * markdownLength + 64 * 1024;
}

/** One heading of a body. */
export interface BodyHeading {
  /** 1 for `#`, up to 6 for `######`. */
  readonly depth: number;
  /** The heading as plain text. */
  readonly text: string;
  /** The heading's `id` in the HTML (HEADING_ID_PREFIX and its GitHub slug), unique in the body. */
  readonly anchor: string;
}

/** A body read without its HTML: what every body field of the API but `bodyHtml` serves, and search snippets. */
export interface BodyText {
  /** Plain text: one line per paragraph, heading, list item, table row and code block; cells separated by a space. */
  readonly text: string;
  /** Words of the text, as Intl.Segmenter counts them (word-like segments). */
  readonly wordCount: number;
  /** max(1, round(wordCount / WORDS_PER_MINUTE)), and 0 when there are no words. */
  readonly readingTimeMinutes: number;
  /** The headings, in document order. */
  readonly headings: readonly BodyHeading[];
}

/** A body rendered: its text and its HTML. */
export interface RenderedBody extends BodyText {
  /** The sanitized HTML; null when it would be longer than maxHtmlLength (htmlProblem says so). */
  readonly html: string | null;
  /** Why html is null, for the client's error message; null when html is there. */
  readonly htmlProblem: string | null;
}

/**
 * Block nesting deeper than this (a quote counts one level, a list two) is not rendered: markdown-it
 * drops it and what follows it in the enclosing blocks (after a list, up to the end of the body).
 * 20 is markdown-it's CommonMark preset; its default, 100, lets a megabyte of `>` lines take seconds.
 */
const MAX_BLOCK_NESTING = 20;
/**
 * Inline elements (emphasis, links, strikethrough) nested deeper than this lose their tags, keeping
 * their text: sanitize-html takes time quadratic in nesting depth (`**a **a **a ...`).
 */
const MAX_INLINE_NESTING = 20;

const markdown = new MarkdownIt('default', { html: false, linkify: true, typographer: false, maxNesting: MAX_BLOCK_NESTING });

const HEADING_ATTRIBUTES = ['id'];
const ALIGN = { name: 'align', multiple: false, values: ['left', 'center', 'right'] };
/** Data URLs allowed in `img src`: raster images only (markdown-it's own rule), never SVG or HTML. */
const IMAGE_DATA_URL = /^data:image\/(?:gif|png|jpeg|webp);/i;

/** The sanitizer's allow-list: everything markdown-it can produce that is safe, nothing else. */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...['p', 'br', 'hr', 'blockquote', 'pre', 'code', 'em', 'strong', 's', 'a', 'img'],
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'input'],
    ...['table', 'thead', 'tbody', 'tr', 'th', 'td'],
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    h1: HEADING_ATTRIBUTES,
    h2: HEADING_ATTRIBUTES,
    h3: HEADING_ATTRIBUTES,
    h4: HEADING_ATTRIBUTES,
    h5: HEADING_ATTRIBUTES,
    h6: HEADING_ATTRIBUTES,
    ol: ['start'],
    th: [ALIGN],
    td: [ALIGN],
    input: [{ name: 'type', multiple: false, values: ['checkbox'] }, 'checked', 'disabled'],
  },
  allowedClasses: { code: ['language-*'], li: ['task-list-item'], ul: ['contains-task-list'], ol: ['contains-task-list'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  parseStyleAttributes: false,
  transformTags: {
    a: (tagName, attribs) => {
      const { rel: _rel, ...rest } = attribs;
      return { tagName, attribs: /^https?:/i.test(rest.href ?? '') ? { ...rest, rel: 'noopener noreferrer' } : rest };
    },
    img: (tagName, attribs) => {
      const { src, ...rest } = attribs;
      return { tagName, attribs: src !== undefined && (!/^data:/i.test(src) || IMAGE_DATA_URL.test(src)) ? { src, ...rest } : rest };
    },
    // Only the task-list checkboxes this module writes: never an enabled control.
    input: (tagName, attribs) => ({
      tagName,
      attribs: { type: 'checkbox', disabled: '', ...(attribs.checked !== undefined ? { checked: '' } : {}) },
    }),
  },
};

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });

/** Characters segmented at once: V8 iterates segments in time proportional to the string's length, so long texts go in windows. */
const SEGMENT_WINDOW = 256;
/** Characters a window must hold past a segment before its end is trusted (word rules look ahead a few characters). */
const SEGMENT_LOOKAHEAD = 32;
/** Latin letters (Basic Latin, Latin-1 and Latin Extended-A and -B): Unicode's ALetter, in a regular expression class. */
const LATIN = 'A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F';
/** A run of non-space characters made only of Latin letters, digits and common punctuation: most runs of news prose. */
const PLAIN_RUN = new RegExp(`^[${LATIN}0-9.,;:'’‘!?()\\[\\]"“”/\\-–—%&+*#$…]+$`);
/**
 * The words of a plain run, as Unicode's word rules (UAX #29, as ICU applies them for `en`) find
 * them: letters and digits, joined across `.`, `:` or an apostrophe between two letters and across
 * `.`, `,`, `;` or an apostrophe between two digits. Counting these without the segmenter is several
 * times faster; the property tests compare both.
 */
const PLAIN_WORD = new RegExp(`[${LATIN}0-9]+(?:(?:(?<=[${LATIN}])[.:'’‘](?=[${LATIN}])|(?<=[0-9])[.,;'’‘](?=[0-9]))[${LATIN}0-9]+)*`, 'g');

/** Runs between white space (JavaScript's `\\s` without U+FEFF, which word rules ignore like a combining mark). */
const NOT_SPACE = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/**
 * The number of word-like segments of a text (Intl.Segmenter, granularity word), as segmenting it
 * whole gives. Words never span whitespace, so the text is counted run by run: a plain run with
 * PLAIN_WORD, any other with the segmenter, in windows when it is long (each restarting at a boundary
 * found with SEGMENT_LOOKAHEAD characters to spare), so a megabyte costs linear time (segmented
 * whole, V8 takes minutes).
 */
export function countWords(text: string): number {
  let words = 0;
  for (const [run] of text.matchAll(NOT_SPACE)) words += PLAIN_RUN.test(run) ? (run.match(PLAIN_WORD)?.length ?? 0) : segmentedWords(run);
  return words;
}

/** The word-like segments of a text, segmented window by window. */
function segmentedWords(text: string): number {
  let words = 0;
  let start = 0;
  let window = SEGMENT_WINDOW;
  while (start < text.length) {
    const end = Math.min(text.length, start + window);
    const final = end === text.length;
    let trusted = start;
    let counted = 0;
    for (const segment of wordSegmenter.segment(text.slice(start, end))) {
      const segmentEnd = start + segment.index + segment.segment.length;
      if (!final && segmentEnd > end - SEGMENT_LOOKAHEAD) break;
      if (segment.isWordLike) counted++;
      trusted = segmentEnd;
    }
    if (trusted === start) {
      window *= 2; // One segment fills the window: widen it until the segment ends inside.
      continue;
    }
    words += counted;
    start = trusted;
    window = SEGMENT_WINDOW;
  }
  return words;
}

/** Reading time in whole minutes: max(1, round(words / WORDS_PER_MINUTE)), 0 for no words. */
export function readingTimeOf(wordCount: number): number {
  return wordCount === 0 ? 0 : Math.max(1, Math.round(wordCount / WORDS_PER_MINUTE));
}

/** The plain text of inline tokens: text, code and image descriptions; line breaks as a space or a newline. */
function inlineText(tokens: readonly Token[]): string {
  let text = '';
  for (const token of tokens) {
    if (token.type === 'text' || token.type === 'code_inline') text += token.content;
    else if (token.type === 'softbreak') text += ' ';
    else if (token.type === 'hardbreak') text += '\n';
    else if (token.type === 'image') text += inlineText(token.children ?? []);
  }
  return text;
}

const TASK_MARKER = /^\[([ xX])\][ \t]+/;

/**
 * Turns a list item's leading `[ ]` or `[x]` into a disabled checkbox (GFM task lists): the
 * paragraph's first text loses the marker, an `<input>` goes before it, and the item and its list
 * get GitHub's classes. `index` is the item's inline token.
 */
function markTaskItem(tokens: Token[], index: number, lists: readonly Token[]): void {
  const inline = tokens[index]!;
  const first = inline.children?.[0];
  if (tokens[index - 1]?.type !== 'paragraph_open' || tokens[index - 2]?.type !== 'list_item_open' || first?.type !== 'text') return;
  const marker = TASK_MARKER.exec(first.content);
  if (marker === null) return;
  first.content = first.content.slice(marker[0].length);
  const checkbox = new (inline.constructor as typeof Token)('html_inline', '', 0);
  checkbox.content = `<input type="checkbox" disabled=""${marker[1] === ' ' ? '' : ' checked=""'}> `;
  inline.children!.unshift(checkbox);
  tokens[index - 2]!.attrJoin('class', 'task-list-item');
  const list = lists.at(-1);
  if (list !== undefined && !attribute(list, 'class').includes('contains-task-list')) list.attrJoin('class', 'contains-task-list');
}

/** Drops the open and close tokens of inline elements nested deeper than MAX_INLINE_NESTING, keeping what is between. */
function limitInlineNesting(inline: Token): void {
  const children = inline.children;
  if (children === null) return;
  let depth = 0;
  let deepest = 0;
  for (const child of children) {
    depth += child.nesting;
    deepest = Math.max(deepest, depth);
  }
  if (deepest <= MAX_INLINE_NESTING) return;
  const dropped: boolean[] = [];
  depth = 0;
  inline.children = children.filter((child) => {
    if (child.nesting === 1) {
      const drop = depth >= MAX_INLINE_NESTING;
      dropped.push(drop);
      if (!drop) depth++;
      return !drop;
    }
    if (child.nesting === -1) {
      const drop = dropped.pop() ?? false;
      if (!drop) depth--;
      return !drop;
    }
    return true;
  });
}

/** A lower bound of the HTML length the tokens render to: their text, attributes and tags. */
function renderedLengthAtLeast(tokens: readonly Token[]): number {
  let length = 0;
  for (const token of tokens) {
    length += token.content.length + (token.tag === '' ? 0 : token.tag.length + 2);
    for (const [, value] of token.attrs ?? []) length += String(value).length;
    if (token.children !== null) length += renderedLengthAtLeast(token.children);
  }
  return length;
}

/** Parses a body and walks its tokens once: the text, word count and headings, and the tokens readied for rendering (heading ids, cell alignment, task items, fragment links). */
function readTokens(source: string): { tokens: Token[]; body: BodyText } {
  const tokens = markdown.parse(source, {});
  const slugger = new GithubSlugger();
  const headings: BodyHeading[] = [];
  const slugs = new Set<string>();
  const fragmentLinks: Token[] = [];
  const lists: Token[] = [];
  // The text is built from parts: a separator is written only between two non-empty parts, a line break winning over a space.
  const parts: string[] = [];
  let separator: '' | ' ' | '\n' = '';
  const write = (part: string) => {
    if (part === '') return;
    if (separator !== '' && parts.length > 0) parts.push(separator);
    separator = '';
    parts.push(part);
  };
  /** Ends the current line of text (a block) or adds a space (a table cell). */
  const boundary = (next: ' ' | '\n') => {
    if (next === '\n' || separator === '') separator = next;
  };

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    switch (token.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push(token);
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'heading_open': {
        const inline = tokens[index + 1];
        const headingText = inlineText(inline?.children ?? []).trim();
        const slug = slugger.slug(headingText);
        slugs.add(slug);
        const anchor = HEADING_ID_PREFIX + slug;
        token.attrSet('id', anchor);
        headings.push({ depth: Number(token.tag.slice(1)), text: headingText, anchor });
        break;
      }
      case 'th_open':
      case 'td_open': {
        // markdown-it aligns cells with an inline style, which the sanitizer drops: GitHub's `align` instead.
        const align = /^text-align:(left|center|right)$/.exec(attribute(token, 'style'))?.[1];
        token.attrs = align === undefined ? null : [['align', align]];
        break;
      }
      case 'inline':
        limitInlineNesting(token);
        markTaskItem(tokens, index, lists);
        for (const child of token.children ?? []) {
          if (child.type === 'link_open' && attribute(child, 'href').startsWith('#')) fragmentLinks.push(child);
        }
        write(inlineText(token.children ?? []).trim());
        break;
      case 'fence':
      case 'code_block':
        boundary('\n');
        write(token.content.replace(/\n$/, ''));
        boundary('\n');
        break;
      case 'th_close':
      case 'td_close':
        boundary(' ');
        break;
      case 'paragraph_close':
      case 'heading_close':
      case 'list_item_close':
      case 'blockquote_close':
      case 'tr_close':
      case 'hr':
        boundary('\n');
        break;
    }
  }
  for (const link of fragmentLinks) {
    const fragment = safeDecode(attribute(link, 'href').slice(1));
    if (slugs.has(fragment)) link.attrSet('href', `#${HEADING_ID_PREFIX}${fragment}`);
  }

  const text = parts.join('');
  const wordCount = countWords(text);
  return { tokens, body: { text, wordCount, readingTimeMinutes: readingTimeOf(wordCount), headings } };
}

/** A body's text, word count and headings, without rendering its HTML (a search snippet needs no more). */
function readBody(source: string): BodyText {
  return readTokens(source).body;
}

/**
 * Renders a Markdown body: sanitized HTML (with heading ids, external links marked
 * `rel="noopener noreferrer"`), plain text, word count, reading time and headings. Never throws for
 * any string; an HTML longer than maxHtmlLength is not built (html null, htmlProblem says why).
 */
export function renderBody(source: string): RenderedBody {
  const { tokens, body } = readTokens(source);
  const limit = maxHtmlLength(source.length);
  const tooLong = `its HTML would be longer than ${limit} characters (8 times the Markdown plus 65536)`;
  let html: string | null = null;
  if (renderedLengthAtLeast(tokens) <= limit) {
    const unsafe = markdown.renderer.render(tokens, markdown.options, {});
    if (unsafe.length <= limit) html = sanitizeHtml(unsafe, SANITIZE_OPTIONS);
  }
  return { ...body, html, htmlProblem: html === null ? tooLong : null };
}

/** A token's attribute as a string; empty when it has none. */
function attribute(token: Token, name: string): string {
  return String(token.attrGet(name) ?? '');
}

/** A URL fragment percent-decoded, or as it is when it is not valid percent-encoding. */
function safeDecode(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/**
 * Cuts a plain text to at most `maxLength` characters (Unicode code points) at a word boundary. A
 * text that fits is returned whole. A longer one keeps its words up to the last whitespace among
 * its first `maxLength` characters, loses trailing whitespace, commas, semicolons, colons and
 * dashes, and gets `…`; when its first word alone is too long, it is cut after `maxLength - 1`
 * characters. The result is never longer than `maxLength` (1 or more).
 */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text; // Never more code points than UTF-16 units.
  const characters: string[] = [];
  for (const character of text) {
    characters.push(character);
    if (characters.length > maxLength) break;
  }
  if (characters.length <= maxLength) return text;
  // characters[end] is whitespace: the kept words end there.
  let end = maxLength - 1;
  while (end > 0 && !/\s/u.test(characters[end]!)) end--;
  const kept = characters.slice(0, end === 0 ? maxLength - 1 : end).join('');
  return `${kept.replace(/[\s,;:\p{Pd}]+$/u, '')}…`;
}

/** Thrown (and cached) when a body cannot be rendered at all; names the file. */
export class BodyRenderError extends Error {
  /** The article's file, relative to the content directory. */
  readonly sourcePath: string;

  constructor(sourcePath: string, cause: unknown) {
    super(`the body of ${sourcePath} cannot be rendered`, { cause });
    this.name = 'BodyRenderError';
    this.sourcePath = sourcePath;
  }
}

/** Default size of the rendered-body cache: 64 MiB, room for the largest entry a 1 MiB body can make (about 20 MiB). */
const DEFAULT_BODY_CACHE_BYTES = 64 * 1024 * 1024;

/** Memory an entry holds beyond its strings: the objects and the cache's own bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 256;

/** One article version's body, rendered or only read (or its failure), with the bytes it holds. */
interface CacheEntry {
  readonly value: RenderedBody | BodyText | BodyRenderError;
  readonly bytes: number;
}

/** Whether a body kept in the cache has its HTML rendered. */
function isRendered(value: RenderedBody | BodyText): value is RenderedBody {
  return 'html' in value;
}

/**
 * The bytes an entry holds, roughly: its strings at two bytes per UTF-16 code unit, plus the
 * Markdown, which the cache keeps alive through its key after a newer version replaced the article.
 */
function entryOf(value: RenderedBody | BodyText | BodyRenderError, markdownLength: number): CacheEntry {
  let characters = markdownLength;
  if (value instanceof BodyRenderError) characters += value.message.length;
  else {
    characters += (isRendered(value) ? (value.html?.length ?? 0) : 0) + value.text.length;
    for (const heading of value.headings) characters += heading.text.length + heading.anchor.length + 32;
  }
  return { value, bytes: ENTRY_OVERHEAD_BYTES + 2 * characters };
}

/** Rendered bodies of article versions, least recently used dropped first. */
export interface BodyCache {
  /** The article's body rendered (from the cache, or rendered now); null when it has no body. Throws a BodyRenderError when it cannot be rendered. */
  bodyOf(article: Article): RenderedBody | null;
  /** The article's body read, its HTML rendered only if it was already (from the cache, or read now); null when it has no body. Throws a BodyRenderError when it cannot be read. */
  textOf(article: Article): BodyText | null;
  /** The bytes the cache holds now, as estimated when each entry was added; never above its budget. */
  readonly bytes: number;
}

/**
 * A cache of bodies keyed by the article object: a changed file becomes a new object, so an entry
 * is one version of an article and never goes stale. An entry read for its text alone (textOf) is
 * replaced by the rendered body when its HTML is asked for. Holds at most `maxBytes`; an entry
 * larger than that is not kept. A failure is cached like a result, so a bad body is tried once.
 */
export function createBodyCache(maxBytes = DEFAULT_BODY_CACHE_BYTES): BodyCache {
  const cache = new LRUCache<Article, CacheEntry>({ maxSize: maxBytes, sizeCalculation: (entry) => entry.bytes });
  /** The cached entry, else the body read with `read` and cached; null when the article has no body. */
  const entryFor = (
    article: Article,
    read: (source: string) => RenderedBody | BodyText,
    fits: (value: RenderedBody | BodyText) => boolean,
  ) => {
    const cached = cache.get(article);
    if (cached !== undefined && (cached.value instanceof BodyRenderError || fits(cached.value))) return cached;
    const { body } = article;
    if (body === null) return null;
    let value: RenderedBody | BodyText | BodyRenderError;
    try {
      value = read(body);
    } catch (error) {
      value = new BodyRenderError(article.sourcePath, error);
    }
    const entry = entryOf(value, body.length);
    cache.set(article, entry);
    return entry;
  };
  const bodyIn = <T>(entry: CacheEntry | null): T | null => {
    if (entry === null) return null;
    if (entry.value instanceof BodyRenderError) throw entry.value;
    return entry.value as T;
  };
  return {
    bodyOf: (article) => bodyIn<RenderedBody>(entryFor(article, renderBody, isRendered)),
    textOf: (article) => bodyIn<BodyText>(entryFor(article, readBody, () => true)),
    get bytes() {
      return cache.calculatedSize;
    },
  };
}
