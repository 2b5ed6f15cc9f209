import { isUtf8 } from 'node:buffer';
import matter from 'gray-matter';
import yaml from 'js-yaml';
import { DECLINED, readSimpleYaml } from './simple-yaml.js';

/** Limits on what one file's front matter may build. */
export interface FrontMatterLimits {
  /** YAML nodes per file, counting each alias as the nodes it expands to. */
  readonly maxYamlNodes: number;
  /** Nesting depth of YAML collections. */
  readonly maxYamlDepth: number;
}

/** Defaults generous for real articles (the largest real file has about 1,500 nodes, depth 5). */
export const DEFAULT_FRONT_MATTER_LIMITS: FrontMatterLimits = { maxYamlNodes: 20_000, maxYamlDepth: 32 };

/** A parsed file: its front matter as an untrusted mapping and its Markdown body. */
export type ParsedFile =
  | { readonly ok: true; readonly data: Readonly<Record<string, unknown>>; readonly body: string }
  | { readonly ok: false; readonly message: string };

class FrontMatterLimitError extends Error {}

function refuseExecutableFrontMatter(): never {
  throw new FrontMatterLimitError('executable front matter is refused; front matter must be YAML');
}

/**
 * Parses one file's bytes safely: UTF-8 text only, the first line exactly `---` (after an optional
 * BOM), YAML through js-yaml's safe schema with node and depth caps, no cycles, and gray-matter's
 * JavaScript engines replaced by ones that throw. Never throws; never evaluates anything.
 */
export function parseFrontMatter(bytes: Uint8Array, limits: FrontMatterLimits = DEFAULT_FRONT_MATTER_LIMITS): ParsedFile {
  if (bytes.length === 0) return fail('the file is empty: expected front matter between two lines "---"');
  if (bytes.includes(0)) return fail('the file is binary (it contains NUL bytes): expected UTF-8 Markdown text');
  if (!isUtf8(bytes)) return fail(`the file is not valid UTF-8 (${firstInvalidByte(bytes)}): save it as UTF-8`);

  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');

  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  if (firstLine !== '---') {
    if (firstLine.startsWith('---')) {
      return fail(`expected the first line to be exactly "---", found "${firstLine.slice(0, 40)}" (only YAML front matter is accepted)`);
    }
    return fail('no front matter: expected the file to start with a line "---"');
  }
  const closeAt = text.indexOf('\n---', 3);
  const closeLineEnd = closeAt === -1 ? -1 : text.indexOf('\n', closeAt + 1);
  const closeLine = closeAt === -1 ? '' : text.slice(closeAt + 1, closeLineEnd === -1 ? undefined : closeLineEnd);
  if (closeLine !== '---') return fail('the front matter is not closed: expected a line that is exactly "---" after it');

  // The plain shape nearly every file has is split here exactly as gray-matter splits it (its
  // wrapper costs a third of the parse: it looks the whole text up in its cache and re-encodes it);
  // anything the fast reader declines goes through gray-matter and js-yaml.
  const simple = readSimpleYaml(text.slice(3, closeAt), { maxNodes: limits.maxYamlNodes, maxDepth: limits.maxYamlDepth });
  if (isNonEmptyMapping(simple)) {
    const afterClose = closeAt + 4;
    return { ok: true, data: simple, body: text.charCodeAt(afterClose) === 0x0a ? text.slice(afterClose + 1) : text.slice(afterClose) };
  }

  let data: unknown;
  let body: string;
  try {
    const file = matter(text, {
      language: 'yaml',
      engines: {
        yaml: (source: string) => loadYaml(source, limits) as object,
        javascript: refuseExecutableFrontMatter,
        js: refuseExecutableFrontMatter,
      },
    });
    data = file.data;
    body = file.content;
  } catch (error) {
    return fail(describeYamlError(error));
  }
  if (data === null || data === undefined || (typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length === 0)) {
    return fail('the front matter is empty: expected at least a title');
  }
  if (typeof data !== 'object' || Array.isArray(data) || data instanceof Date) {
    return fail(
      `expected the front matter to be a mapping of keys to values, found ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}`,
    );
  }
  return { ok: true, data: data as Record<string, unknown>, body };
}

/** True for what the fast reader gives when it reads a front matter with at least one key. */
function isNonEmptyMapping(value: unknown): value is Record<string, unknown> {
  if (value === DECLINED || value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return false;
  return Object.keys(value).length > 0;
}

function loadYaml(source: string, limits: FrontMatterLimits): unknown {
  let nodes = 0;
  let depth = 0;
  const value = yaml.load(source, {
    schema: yaml.DEFAULT_SCHEMA,
    listener(event) {
      if (event === 'close') {
        depth--;
        return;
      }
      if (++nodes > limits.maxYamlNodes) {
        throw new FrontMatterLimitError(`the front matter has more than ${limits.maxYamlNodes} YAML nodes`);
      }
      if (++depth > limits.maxYamlDepth) {
        throw new FrontMatterLimitError(`the front matter nests deeper than ${limits.maxYamlDepth} levels`);
      }
    },
  });
  // Without aliases YAML builds a tree, which the listener's caps already bound.
  if (source.includes('*')) assertFiniteTree(value, limits);
  return value;
}

/**
 * YAML aliases make a graph, not a tree: a self-referencing alias is a cycle, and a few nested
 * aliases ("billion laughs") expand to billions of nodes only when walked. Measures the expanded
 * size with memoization (linear in the parsed graph) and refuses cycles and oversized values.
 */
function assertFiniteTree(root: unknown, limits: FrontMatterLimits): void {
  const expandedSize = new Map<object, number>();
  const onPath = new Set<object>();
  const measure = (value: unknown, depth: number): number => {
    if (value === null || typeof value !== 'object' || value instanceof Date) return 1;
    const known = expandedSize.get(value);
    if (known !== undefined) return known;
    if (onPath.has(value)) throw new FrontMatterLimitError('the front matter refers to itself through a YAML alias (a cycle)');
    if (depth > limits.maxYamlDepth) {
      throw new FrontMatterLimitError(`the front matter nests deeper than ${limits.maxYamlDepth} levels once its aliases are expanded`);
    }
    onPath.add(value);
    let size = 1;
    for (const child of Object.values(value)) {
      size += measure(child, depth + 1);
      if (size > limits.maxYamlNodes) {
        throw new FrontMatterLimitError(`the front matter expands to more than ${limits.maxYamlNodes} YAML nodes through its aliases`);
      }
    }
    onPath.delete(value);
    expandedSize.set(value, size);
    return size;
  };
  measure(root, 0);
}

function describeYamlError(error: unknown): string {
  if (error instanceof FrontMatterLimitError) return error.message;
  if (error instanceof yaml.YAMLException) {
    // The front matter starts on the file's second line.
    const where = error.mark ? ` at line ${error.mark.line + 2}, column ${error.mark.column + 1}` : '';
    return `invalid YAML front matter${where}: ${error.reason}`;
  }
  if (error instanceof RangeError) return 'the front matter is too deeply nested to parse';
  return 'the front matter could not be parsed';
}

function firstInvalidByte(bytes: Uint8Array): string {
  const decoded = new TextDecoder('utf-8').decode(bytes);
  const offset = Buffer.byteLength(decoded.slice(0, Math.max(0, decoded.indexOf('\uFFFD'))), 'utf8');
  return `byte 0x${(bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0')} at offset ${offset}`;
}

function fail(message: string): ParsedFile {
  return { ok: false, message };
}
