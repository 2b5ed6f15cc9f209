import yaml from 'js-yaml';

/**
 * A fast reader for the plain shape nearly every front matter has: block mappings with simple keys,
 * `- ` lists, and one-line scalars (plain, single- or double-quoted). It gives exactly what
 * js-yaml's `load` with the default schema gives for such text, plain scalars resolved by js-yaml's
 * own implicit types (null, booleans, numbers, timestamps). Anything else — anchors, aliases, tags,
 * flow collections, block scalars, multi-line scalars, tabs, duplicate keys, unusual keys,
 * non-printable characters, very large or deep documents — is declined, and the caller hands the
 * text to js-yaml, which also produces every error message.
 */

/** What `readSimpleYaml` returns when the text is outside the shape it reads. */
export const DECLINED: unique symbol = Symbol('declined');

/** Bounds above which the reader declines, leaving the limits and their errors to js-yaml. */
export interface SimpleYamlBounds {
  readonly maxNodes: number;
  readonly maxDepth: number;
}

// Declined characters: tabs, carriage returns and everything js-yaml calls non-printable, and any
// surrogate (paired ones are fine in YAML, but rare enough in front matter to leave to js-yaml).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this pattern is for.
const DECLINED_CHARACTERS = /[\x00-\x09\x0B-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;
const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// Keys js-yaml would resolve to booleans or null, and the one key that needs its special handling.
const DECLINED_KEYS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '__proto__']);
// Characters that cannot start a plain scalar (flow and node indicators, quotes, comments).
const NOT_PLAIN_START = '[]{},#&*!|>\'"%@`';
const IMPLICIT_TYPES = (yaml.DEFAULT_SCHEMA as unknown as { compiledImplicit: readonly yaml.Type[] }).compiledImplicit;

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const QUESTION_MARK = 0x3f;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

class Declined extends Error {}
const declined = new Declined();

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\x00',
  a: '\x07',
  b: '\x08',
  t: '\x09',
  n: '\x0A',
  v: '\x0B',
  f: '\x0C',
  r: '\x0D',
  e: '\x1B',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xA0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPE_LENGTHS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };
const HEX_DIGITS = /^[0-9a-fA-F]+$/;

/** Reads `source` when it has the plain front-matter shape; returns DECLINED otherwise. Never throws. */
export function readSimpleYaml(source: string, bounds: SimpleYamlBounds): unknown {
  if (DECLINED_CHARACTERS.test(source)) return DECLINED;
  const reader = new SimpleYamlReader(source, bounds);
  try {
    return reader.readDocument();
  } catch (error) {
    if (error === declined) return DECLINED;
    throw error;
  }
}

/**
 * Reads line by line with the engine's own string search (indexOf, slice) rather than a loop over
 * characters, which is what makes it several times faster than a general YAML parser.
 */
class SimpleYamlReader {
  /** Start of the current line's content (after its indentation). */
  private position = 0;
  /** Column of the current line's content; -1 at the end of the text. */
  private indent = -1;
  private lineEnd = 0;
  private nodes = 0;

  constructor(
    private readonly source: string,
    private readonly bounds: SimpleYamlBounds,
  ) {}

  readDocument(): unknown {
    this.toContentLine(0);
    if (this.indent !== 0) throw declined;
    const value = this.readMapping(0, 1);
    // readMapping returns at the end of the text or at a line indented less than 0, which cannot be.
    return value;
  }

  /** Moves to the first line at or after `from` that holds something other than a comment. */
  private toContentLine(from: number): void {
    const source = this.source;
    let lineStart = from;
    while (lineStart < source.length) {
      let end = source.indexOf('\n', lineStart);
      if (end === -1) end = source.length;
      let column = lineStart;
      while (column < end && source.charCodeAt(column) === SPACE) column++;
      if (column < end && source.charCodeAt(column) !== HASH) {
        this.position = column;
        this.indent = column - lineStart;
        this.lineEnd = end;
        return;
      }
      lineStart = end + 1;
    }
    this.position = source.length;
    this.indent = -1;
    this.lineEnd = source.length;
  }

  private countNode(): void {
    if (++this.nodes > this.bounds.maxNodes / 2) throw declined;
  }

  /** Reads a block mapping whose keys sit at `indent`; the current position is its first key. */
  private readMapping(indent: number, depth: number): Record<string, unknown> {
    if (depth > this.bounds.maxDepth / 2) throw declined;
    this.countNode();
    const mapping: Record<string, unknown> = {};
    while (this.indent === indent) {
      const key = this.readKey();
      if (Object.hasOwn(mapping, key)) throw declined;
      mapping[key] = this.readValue(indent, depth);
      if (this.indent > indent) throw declined;
    }
    return mapping;
  }

  /** Reads `key:` and leaves the position after the colon. */
  private readKey(): string {
    const colon = this.keyEnd(this.position);
    if (colon === -1) throw declined;
    const key = this.source.slice(this.position, colon);
    if (DECLINED_KEYS.has(key)) throw declined;
    this.countNode();
    this.position = colon + 1;
    return key;
  }

  /** Where the colon of a simple `key:` at `at` is (followed by a space or the line's end), or -1. */
  private keyEnd(at: number): number {
    const line = this.source.slice(at, this.lineEnd);
    const colon = line.indexOf(':');
    if (colon === -1 || (colon + 1 < line.length && line.charCodeAt(colon + 1) !== SPACE)) return -1;
    return KEY.test(line.slice(0, colon)) ? at + colon : -1;
  }

  /** Reads the value after `key:` of a mapping at `indent`, then moves to the next content line. */
  private readValue(indent: number, depth: number): unknown {
    const at = this.skipSpaces(this.position);
    if (at < this.lineEnd && this.source.charCodeAt(at) !== HASH) {
      const value = this.readScalar(at);
      this.toContentLine(this.lineEnd + 1);
      return value;
    }
    this.toContentLine(this.lineEnd + 1);
    if (this.indent > indent) return this.isListItem() ? this.readList(this.indent, depth + 1) : this.readMapping(this.indent, depth + 1);
    if (this.indent === indent && this.isListItem()) return this.readList(indent, depth + 1);
    this.countNode();
    return null;
  }

  private isListItem(): boolean {
    return (
      this.source.charCodeAt(this.position) === DASH &&
      this.position + 1 < this.lineEnd &&
      this.source.charCodeAt(this.position + 1) === SPACE
    );
  }

  /** Reads a block list whose `- ` markers sit at `indent`. */
  private readList(indent: number, depth: number): unknown[] {
    if (depth > this.bounds.maxDepth / 2) throw declined;
    this.countNode();
    const list: unknown[] = [];
    while (this.indent === indent && this.isListItem()) {
      const at = this.skipSpaces(this.position + 1);
      if (at >= this.lineEnd || this.source.charCodeAt(at) === HASH) throw declined;
      if (this.keyEnd(at) !== -1) {
        // `- key: value` starts a mapping whose keys line up with this first one.
        this.indent = at - (this.position - indent);
        this.position = at;
        list.push(this.readMapping(this.indent, depth + 1));
      } else {
        list.push(this.readScalar(at));
        this.toContentLine(this.lineEnd + 1);
      }
      if (this.indent > indent) throw declined;
    }
    return list;
  }

  /** Reads a one-line scalar starting at `at`; the rest of the line may only be a comment. */
  private readScalar(at: number): unknown {
    this.countNode();
    const first = this.source.charCodeAt(at);
    if (first === DOUBLE_QUOTE) return this.readDoubleQuoted(at);
    if (first === SINGLE_QUOTE) return this.readSingleQuoted(at);
    return this.readPlain(at);
  }

  private readDoubleQuoted(at: number): string {
    const source = this.source;
    const close = source.indexOf('"', at + 1);
    if (close !== -1 && close < this.lineEnd) {
      const content = source.slice(at + 1, close);
      if (!content.includes('\\')) {
        this.expectLineRest(close + 1);
        return content;
      }
    }
    let segmentStart = at + 1;
    let value = '';
    for (let index = segmentStart; index < this.lineEnd; index++) {
      const character = source[index];
      if (character === '"') {
        this.expectLineRest(index + 1);
        return value + source.slice(segmentStart, index);
      }
      if (character !== '\\') continue;
      value += source.slice(segmentStart, index);
      const escaped = source[index + 1] ?? '';
      const simple = SIMPLE_ESCAPES[escaped];
      if (simple !== undefined) {
        value += simple;
        index += 1;
      } else {
        const length = HEX_ESCAPE_LENGTHS[escaped];
        if (length === undefined) throw declined;
        const digits = source.slice(index + 2, index + 2 + length);
        if (digits.length !== length || !HEX_DIGITS.test(digits)) throw declined;
        const codePoint = parseInt(digits, 16);
        if (codePoint > 0x10ffff) throw declined;
        value += String.fromCodePoint(codePoint);
        index += 1 + length;
      }
      segmentStart = index + 1;
    }
    throw declined;
  }

  private readSingleQuoted(at: number): string {
    const source = this.source;
    let segmentStart = at + 1;
    let value = '';
    for (;;) {
      const quote = source.indexOf("'", segmentStart);
      if (quote === -1 || quote >= this.lineEnd) throw declined;
      value += source.slice(segmentStart, quote);
      if (source.charCodeAt(quote + 1) === SINGLE_QUOTE) {
        value += "'";
        segmentStart = quote + 2;
        continue;
      }
      this.expectLineRest(quote + 1);
      return value;
    }
  }

  private readPlain(at: number): unknown {
    const source = this.source;
    const lineEnd = this.lineEnd;
    const first = source.charCodeAt(at);
    if (NOT_PLAIN_START.includes(source[at]!)) throw declined;
    if ((first === DASH || first === QUESTION_MARK) && (at + 1 === lineEnd || source.charCodeAt(at + 1) === SPACE)) throw declined;
    // A comment starts at " #"; ": " or a final ":" would make this a mapping (or an error).
    // Searches run on the line alone: indexOf on the whole text would scan to its end.
    const line = source.slice(at, lineEnd);
    let end = line.indexOf(' #');
    if (end === -1) end = line.length;
    const colon = line.indexOf(': ');
    if ((colon !== -1 && colon < end) || line.charCodeAt(end - 1) === COLON) throw declined;
    while (line.charCodeAt(end - 1) === SPACE) end--;
    return resolvePlainScalar(end === line.length ? line : line.slice(0, end));
  }

  /** After a quoted scalar only spaces and a comment may follow on its line. */
  private expectLineRest(at: number): void {
    const rest = this.skipSpaces(at);
    if (rest < this.lineEnd && !(this.source.charCodeAt(rest) === HASH && rest > at)) throw declined;
  }

  private skipSpaces(at: number): number {
    while (at < this.lineEnd && this.source.charCodeAt(at) === SPACE) at++;
    return at;
  }
}

/** js-yaml's resolution of a plain scalar: the first implicit type that accepts it, else the string. */
function resolvePlainScalar(text: string): unknown {
  // Every implicit type of the default schema starts with a digit, a sign, a dot, "~", "<" or one
  // of the letters of null, true and false; the rest are strings without asking each type.
  const first = text.charCodeAt(0);
  if (isLetter(first) && !PLAIN_KEYWORD_INITIALS.includes(text[0]!)) return text;
  for (const type of IMPLICIT_TYPES) {
    if (type.resolve(text)) return type.construct(text);
  }
  return text;
}

const PLAIN_KEYWORD_INITIALS = 'nNtTfF';

function isLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}
