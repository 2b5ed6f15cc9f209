/**
 * Finds the executable GraphQL examples of a Markdown file (the convention is in CONTRIBUTING.md):
 *
 *   <!-- example: {"preview": true, "status": 200} -->   optional, directly above the query
 *   ```graphql                                           the document, sent as written
 *   ```json variables                                    optional: the variables
 *   ```json                                              the exact response body
 *
 * Every ```graphql fence is an example; a fence that is not one (an SDL excerpt) uses another info
 * string, such as ```graphql-schema.
 */

/** How to send one example, from its `<!-- example: {...} -->` comment. */
export interface ExampleOptions {
  /** Send `Authorization: Bearer secret`, the preview token the docs start the server with. */
  readonly preview?: boolean;
  /** Send this Authorization header as written (for examples of refused tokens). */
  readonly authorization?: string;
  /** The HTTP status the response must have; default 200. */
  readonly status?: number;
}

/** One GraphQL example of a Markdown file. */
export interface Example {
  /** The Markdown file, relative to the project root (`docs/api.md`). */
  readonly file: string;
  /** 1-based position among the file's examples. */
  readonly index: number;
  /** Line of the ```graphql fence, 1-based. */
  readonly line: number;
  /** The operation's name, or `anonymous`. */
  readonly operation: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly options: ExampleOptions;
  /** The response body the file shows, parsed. */
  readonly response: unknown;
}

interface Fence {
  readonly info: string;
  readonly body: string;
  /** Line of the opening fence, 0-based. */
  readonly start: number;
  /** Line of the closing fence, 0-based. */
  readonly end: number;
}

const OPEN = /^(`{3,}|~{3,})\s*(.*)$/;
const COMMENT = /^<!--\s*example:\s*(\{.*\})\s*-->$/;
const OPTION_KEYS = new Set(['preview', 'authorization', 'status']);

/** Every fenced code block of a Markdown text, in order; an unclosed fence is an error. */
function fencesOf(lines: readonly string[], file: string): Fence[] {
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]!);
    if (open === null) continue;
    const marker = open[1]!;
    const closes = (line: string) => {
      const trimmed = line.trim();
      return trimmed.length >= marker.length && trimmed === marker[0]!.repeat(trimmed.length);
    };
    let end = i + 1;
    while (end < lines.length && !closes(lines[end]!)) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: the code block is never closed`);
    fences.push({ info: open[2]!.trim(), body: lines.slice(i + 1, end).join('\n'), start: i, end });
    i = end;
  }
  return fences;
}

/** True when only blank lines separate line `from` (exclusive) and line `to` (exclusive). */
function adjacent(lines: readonly string[], from: number, to: number): boolean {
  return lines.slice(from + 1, to).every((line) => line.trim() === '');
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON: ${(error as Error).message}`);
  }
}

/** The options comment on the last non-blank line above `line`, if there is one. */
function optionsAbove(lines: readonly string[], line: number, where: string): ExampleOptions {
  let above = line - 1;
  while (above >= 0 && lines[above]!.trim() === '') above--;
  const text = above >= 0 ? lines[above]!.trim() : '';
  if (!text.startsWith('<!--') || !/^<!--\s*example\b/.test(text)) return {};
  const match = COMMENT.exec(text);
  if (match === null) throw new Error(`${where}: write the example comment as <!-- example: {"preview": true} -->`);
  const options = parseJson(match[1]!, where) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new Error(`${where}: unknown example option "${key}"`);
  }
  return options as ExampleOptions;
}

/** The examples of one Markdown text; throws when a ```graphql block is not a complete example. */
export function extractExamples(markdown: string, file: string): Example[] {
  const lines = markdown.split(/\r?\n/);
  const fences = fencesOf(lines, file);
  const examples: Example[] = [];
  for (let i = 0; i < fences.length; i++) {
    const fence = fences[i]!;
    if (fence.info !== 'graphql') continue;
    const where = `${file}:${fence.start + 1}`;
    let next = fences[i + 1];
    let variables: Record<string, unknown> = {};
    if (next !== undefined && next.info === 'json variables' && adjacent(lines, fence.end, next.start)) {
      variables = parseJson(next.body, `${file}:${next.start + 1}`) as Record<string, unknown>;
      i++;
      next = fences[i + 1];
    }
    const previous = fences[i]!;
    if (next === undefined || next.info !== 'json' || !adjacent(lines, previous.end, next.start)) {
      throw new Error(`${where}: a \`\`\`graphql block must be followed directly by a \`\`\`json block with its response`);
    }
    i++;
    examples.push({
      file,
      index: examples.length + 1,
      line: fence.start + 1,
      operation: /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(fence.body)?.[1] ?? 'anonymous',
      query: fence.body,
      variables,
      options: optionsAbove(lines, fence.start, where),
      response: parseJson(next.body, `${file}:${next.start + 1}`),
    });
  }
  return examples;
}
