import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import matter from 'gray-matter';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/generate.js';
import { DECLINED, readSimpleYaml } from '../../src/content/simple-yaml.js';
import { CONTENT_DIR, createTempDirectory, HOSTILE_FIXTURES, requireSharedCorpus, SAMPLE_CORPUS, SEED_CORPUS } from '../support.js';

const sharedCorpus = requireSharedCorpus();

const BOUNDS = { maxNodes: 20_000, maxDepth: 32 };

/** What js-yaml gives for `source`: its value, or the fact that it refuses the text. */
function jsYaml(source: string): { value: unknown } | { refused: true } {
  try {
    return { value: yaml.load(source) };
  } catch {
    return { refused: true };
  }
}

/** The exact text gray-matter hands its YAML engine for each Markdown file under `directory`. */
function frontMatterSources(directory: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const name of readdirSync(directory, { recursive: true }) as string[]) {
    if (!/\.(?:md|markdown)$/.test(name)) continue;
    const text = readFileSync(path.join(directory, name), 'utf8')
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?/g, '\n');
    matter(text, {
      language: 'yaml',
      engines: {
        yaml: (source: string) => {
          sources.set(name, source);
          return {};
        },
      },
    });
  }
  return sources;
}

/** Files whose front matter the fast reader takes but reads differently from js-yaml. */
function disagreements(sources: Map<string, string>): { declined: string[]; different: string[] } {
  const declined: string[] = [];
  const different: string[] = [];
  for (const [name, source] of sources) {
    const fast = readSimpleYaml(source, BOUNDS);
    if (fast === DECLINED) {
      declined.push(name);
      continue;
    }
    const reference = jsYaml(source);
    if (!('value' in reference) || !isDeepStrictEqual(fast, reference.value)) different.push(name);
  }
  return { declined, different };
}

describe('the fast front-matter reader gives exactly what js-yaml gives', () => {
  let generatedDirectory: string;

  beforeAll(async () => {
    generatedDirectory = createTempDirectory('newsgraph-simple-yaml-');
    await generateCorpus({ directory: generatedDirectory, articles: 1_000, seed: 7 });
  });

  it.for([
    ['the real sample', SAMPLE_CORPUS, true],
    ['the seed', SEED_CORPUS, true],
    ['content/ itself', CONTENT_DIR, false],
  ] as const)('should read every file of %s identically', ([_name, directory, shared], { skip }) => {
    if (shared && !sharedCorpus) skip();
    const sources = frontMatterSources(directory);
    expect(sources.size).toBeGreaterThan(0);
    expect(disagreements(sources)).toEqual({ declined: [], different: [] });
  });

  it('should read every file of a generated 1,000-article corpus identically', () => {
    const sources = frontMatterSources(generatedDirectory);
    expect(sources.size).toBe(1_000);
    expect(disagreements(sources)).toEqual({ declined: [], different: [] });
  });

  it('should decline the hostile fixtures that need js-yaml (aliases, prototype keys) and agree on the rest', () => {
    const result = disagreements(frontMatterSources(HOSTILE_FIXTURES));
    expect(result.different).toEqual([]);
    expect(result.declined).toEqual(expect.arrayContaining(['alias-bomb.md', 'self-alias.md', 'proto-keys.md']));
  });

  it.each([
    [
      'plain scalars resolved by type',
      'a: 12\nb: -3\nc: 0x1F\nd: 1_000\ne: 1.5\nf: .inf\ng: ~\nh: null\ni: True\nj: yes\nk: 2020-01-02\nl: 2020-01-02T03:04:05Z\nm: 2020-1-2 3:04:05.5 +01:00\n',
    ],
    ['comments, blank lines and trailing spaces', '# head\na: x   \n\n  # indented comment\nb: "y"  # note\nc: C# and F#\nd: a #comment\n'],
    ['a list at the same indentation as its key', 'topics:\n- AI\n- ML\nnext: 1\n'],
    ['lists of mappings', 'images:\n  - url: "https://a.example/x.jpg"\n    width: 10\n  -   url: b\n      height: 2\nafter: z\n'],
    ['nested mappings and empty values', 'provider:\n  name: A\n  logo:\n    url: u\nempty:\nalso: # nothing\nlast: 1\n'],
    ['escapes in double quotes', "a: \"q\\\"uote \\\\ \\/ \\t \\u00e9 \\x41 \\U0001F600 \\N \\_\"\nb: 'it''s'\n"],
  ])('should read %s as js-yaml does', (_name, source) => {
    const fast = readSimpleYaml(source, BOUNDS);
    expect(fast).not.toBe(DECLINED);
    expect(fast).toEqual((jsYaml(source) as { value: unknown }).value);
  });

  it.each([
    ['an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a flow list', 'a: [1, 2]\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a multi-line quoted scalar', 'a: "one\n  two"\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a __proto__ key', '__proto__: { "polluted": true }\n'],
    ['a key js-yaml reads as a boolean', 'True: 1\n'],
    ['a tab', 'a:\t1\n'],
    ['a quoted key', '"a": 1\n'],
    ['a list at the top', '- a\n- b\n'],
    ['a mapping inside a plain value', 'a: b: c\n'],
    ['text after a closing quote', 'a: "b" c\n'],
    ['a lone surrogate escape in text', 'a: "\uD800"\n'],
  ])('should decline %s', (_name, source) => {
    expect(readSimpleYaml(source, BOUNDS)).toBe(DECLINED);
  });

  it('should decline documents beyond half the node or depth limits, leaving the limit errors to js-yaml', () => {
    const wide = Array.from({ length: 60 }, (_, index) => `k${index}: ${index}`).join('\n');
    expect(readSimpleYaml(wide, { maxNodes: 1_000, maxDepth: 32 })).not.toBe(DECLINED);
    expect(readSimpleYaml(wide, { maxNodes: 200, maxDepth: 32 })).toBe(DECLINED);
    const deep = `${Array.from({ length: 10 }, (_, level) => `${'  '.repeat(level)}k${level}:`).join('\n')} 1\n`;
    expect(readSimpleYaml(deep, { maxNodes: 1_000, maxDepth: 32 })).not.toBe(DECLINED);
    expect(readSimpleYaml(deep, { maxNodes: 1_000, maxDepth: 12 })).toBe(DECLINED);
  });

  it('should never read random front matter differently from js-yaml (it may only decline)', () => {
    const tricky = fc.constantFrom(
      '1',
      '-1',
      '+1',
      '0x1F',
      '0o17',
      '0b11',
      '1_0',
      '1.5',
      '1e3',
      '.5',
      '.inf',
      '-.Inf',
      '.NaN',
      '~',
      'null',
      'Null',
      'NULL',
      'true',
      'False',
      'yes',
      'no',
      'on',
      '2020-01-01',
      '2020-01-01T00:00:00Z',
      '2020-1-1 1:00:00',
      '2020-01-01t00:00:00.5-02',
      'a: b',
      'a #b',
      'a#b',
      'C#',
      '- x',
      '-x',
      '? x',
      '?x',
      'x:',
      ':x',
      '@x',
      '`x',
      '%x',
      '&a',
      '*a',
      '!t',
      '|',
      '>',
      '[a]',
      '{a: 1}',
      ',a',
      'a,b',
      '"',
      "'",
      '\\',
      'é',
      '’',
      '—',
      '---',
      '...',
      '<<',
      '=',
      'a  b',
      ' ',
    );
    const character = fc.constantFrom(...'ab Z09:#"\'\\-?,[]{}&*!|>%@`._~/éx\u00a0'.split(''));
    const freeText = fc.array(character, { maxLength: 12 }).map((characters) => characters.join(''));
    const scalarText = fc.oneof(tricky, freeText);
    const scalar = fc.oneof(
      scalarText,
      scalarText.map((text) => `"${text}"`),
      scalarText.map((text) => `'${text}'`),
      fc.tuple(scalarText, fc.constantFrom(' # c', '#c', '  ', '')).map(([text, tail]) => text + tail),
    );
    const validKey = fc.constantFrom('title', 'url', 'a-b', '_x', 'k1', 'webUrl', 'name', 'z');
    const oddKey = fc.oneof(fc.constantFrom('True', 'null', 'a b', '1a', '"q"', 'é', '__proto__'), freeText);
    const key = fc.oneof({ arbitrary: validKey, weight: 9 }, { arbitrary: oddKey, weight: 1 });
    const comment = fc.constantFrom('', '', '', '# note', '  # indented note', '');

    // A tree of mappings and lists, rendered the way front matter is written, then sometimes bent
    // (one line's indentation moved) so the reader also meets almost-valid text.
    type Node = { scalar: string } | { mapping: [string, Node][] } | { list: Node[]; sameIndent: boolean };
    const { node } = fc.letrec<{ node: Node; mapping: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { arbitrary: scalar.map((text): Node => ({ scalar: text })), weight: 6 },
        { arbitrary: tie('mapping'), weight: 1 },
        {
          arbitrary: fc.record({
            list: fc.array(
              fc.oneof(
                scalar.map((text): Node => ({ scalar: text })),
                tie('mapping'),
              ),
              { minLength: 1, maxLength: 3 },
            ),
            sameIndent: fc.boolean(),
          }),
          weight: 1,
        },
      ),
      mapping: fc
        .uniqueArray(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 5, selector: ([name]) => name })
        .map((entries): Node => ({ mapping: entries })),
    }));
    const render = (value: Node, indent: number, lines: string[], prefix: string, notes: string[]): void => {
      const pad = ' '.repeat(indent);
      if ('mapping' in value) {
        value.mapping.forEach(([name, child], index) => {
          const lead = index === 0 && prefix !== '' ? prefix : pad;
          if (notes.length > 0) lines.push(notes.pop()!);
          if ('scalar' in child) lines.push(`${lead}${name}: ${child.scalar}`);
          else {
            lines.push(`${lead}${name}:`);
            const childIndent = 'list' in child && child.sameIndent ? indent : indent + 2;
            render(child, childIndent, lines, '', notes);
          }
        });
      } else if ('list' in value) {
        for (const item of value.list) {
          if ('scalar' in item) lines.push(`${pad}- ${item.scalar}`);
          else render(item, indent + 2, lines, `${pad}- `, notes);
        }
      }
    };
    const document = fc
      .tuple(
        fc.uniqueArray(fc.tuple(key, node), { minLength: 1, maxLength: 6, selector: ([name]) => name }),
        fc.array(comment, { maxLength: 4 }),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 1 })), { freq: 4 }),
      )
      .map(([entries, notes, bend]) => {
        const lines: string[] = [];
        render({ mapping: entries }, 0, lines, '', [...notes]);
        if (bend !== null) {
          const [at, shift] = bend;
          const index = at % lines.length;
          lines[index] = shift < 0 ? lines[index]!.replace(/^ /, '') : ' '.repeat(shift) + lines[index];
        }
        return `${lines.join('\n')}\n`;
      });

    let read = 0;
    fc.assert(
      fc.property(document, (source) => {
        const fast = readSimpleYaml(source, BOUNDS);
        if (fast === DECLINED) return true;
        read++;
        const reference = jsYaml(source);
        return 'value' in reference && isDeepStrictEqual(fast, reference.value);
      }),
      { numRuns: 20_000, seed: 20261126 },
    );
    // The generator must reach the reader's accepting paths often, or the property says little.
    expect(read).toBeGreaterThan(2_000);
  });
});
