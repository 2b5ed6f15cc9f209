import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BodyRenderError,
  countWords,
  createBodyCache,
  HEADING_ID_PREFIX,
  maxHtmlLength,
  type RenderedBody,
  readingTimeOf,
  renderBody,
  truncateText,
} from '../../src/content/body.js';
import { loadCorpus } from '../../src/content/load.js';
import type { Article } from '../../src/content/model.js';
import { CONTENT_DIR, FIXTURES, recordOf } from '../support.js';

/** One small file per way a Markdown body can try to smuggle script or style into a page. */
const HOSTILE_MARKDOWN = path.join(FIXTURES, 'hostile-markdown');

// ---------------------------------------------------------------------------------------------
// An independent reading of the HTML: htmlparser2, as a browser would tokenize it
// ---------------------------------------------------------------------------------------------

/** The attributes each element may carry; an element not listed may not appear at all. */
const ALLOWED_ATTRIBUTES: Record<string, readonly string[]> = {
  p: [],
  br: [],
  hr: [],
  blockquote: [],
  pre: [],
  code: ['class'],
  em: [],
  strong: [],
  s: [],
  a: ['href', 'title', 'rel'],
  img: ['src', 'alt', 'title'],
  h1: ['id'],
  h2: ['id'],
  h3: ['id'],
  h4: ['id'],
  h5: ['id'],
  h6: ['id'],
  ul: ['class'],
  ol: ['start', 'class'],
  li: ['class'],
  input: ['type', 'checked', 'disabled'],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: ['align'],
  td: ['align'],
};

/** The page a body is shown on: relative URLs resolve against it. */
const PAGE = 'https://news.example/articles/story';

/** A URL as a browser resolves it on PAGE (it strips tabs, newlines and surrounding controls itself), or null when it cannot. */
function resolve(url: string): URL | null {
  try {
    return new URL(url, PAGE);
  } catch {
    return null;
  }
}

/** Everything in `html` that could run script, load a frame or style the page: an empty list when it is harmless. */
function dangersIn(html: string): string[] {
  const dangers: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const allowed = ALLOWED_ATTRIBUTES[name];
        if (allowed === undefined) {
          dangers.push(`element <${name}>`);
          return;
        }
        for (const attribute of Object.keys(attributes)) {
          if (!allowed.includes(attribute)) dangers.push(`attribute ${attribute} on <${name}>`);
        }
        const { href, src, rel, id, type, class: classes } = attributes;
        if (href !== undefined) {
          const url = resolve(href);
          if (url === null || !['http:', 'https:', 'mailto:'].includes(url.protocol)) dangers.push(`href ${href}`);
          else if (url.origin !== new URL(PAGE).origin && url.protocol !== 'mailto:' && rel !== 'noopener noreferrer') {
            dangers.push(`external link without rel: ${href}`);
          }
        }
        if (src !== undefined) {
          const url = resolve(src);
          const image = url !== null && url.protocol === 'data:' && /^data:image\/(?:png|gif|jpeg|webp);/i.test(url.href);
          if (url === null || !(['http:', 'https:'].includes(url.protocol) || image)) dangers.push(`src ${src}`);
        }
        if (id !== undefined && !id.startsWith(HEADING_ID_PREFIX)) dangers.push(`id without prefix: ${id}`);
        if (name === 'input' && (type !== 'checkbox' || attributes.disabled === undefined))
          dangers.push('an enabled or non-checkbox input');
        if (classes !== undefined) {
          const known = { code: /^language-\S+$/, li: /^task-list-item$/, ul: /^contains-task-list$/, ol: /^contains-task-list$/ };
          const pattern = known[name as keyof typeof known];
          for (const one of classes.split(/\s+/)) if (!pattern?.test(one)) dangers.push(`class ${one} on <${name}>`);
        }
      },
      oncomment: (text) => dangers.push(`comment ${text}`),
      onprocessinginstruction: (name) => dangers.push(`processing instruction ${name}`),
      oncdatastart: () => dangers.push('CDATA'),
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return dangers;
}

/** The headings of an HTML text as elements: level, text content and id. */
function headingElements(html: string): { depth: number; text: string; anchor: string }[] {
  const headings: { depth: number; text: string; anchor: string }[] = [];
  let open: { depth: number; text: string; anchor: string } | null = null;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (/^h[1-6]$/.test(name)) open = { depth: Number(name[1]), text: '', anchor: attributes.id ?? '' };
        if (name === 'img' && open !== null) open.text += attributes.alt ?? '';
      },
      ontext(text) {
        if (open !== null) open.text += text;
      },
      onclosetag(name) {
        if (/^h[1-6]$/.test(name) && open !== null) {
          headings.push(open);
          open = null;
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return headings;
}

/** Elements after which a browser shows a break: their text never runs into the next element's. */
const BLOCKS = new Set(['p', 'br', 'hr', 'blockquote', 'pre', 'ul', 'ol', 'li', 'table', 'tr', 'th', 'td', 'img']);
for (let depth = 1; depth <= 6; depth++) BLOCKS.add(`h${depth}`);

/**
 * Counts words in rendered HTML without Intl.Segmenter: text content (image descriptions included)
 * split by a regular expression for letter and digit runs, joined across an apostrophe or a full
 * stop between letters and across `.`, `,` or an apostrophe between digits (Unicode's word rules,
 * as far as English news prose needs them).
 */
function wordsInHtml(html: string): number {
  let text = '';
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (BLOCKS.has(name)) text += ' ';
        if (name === 'img') text += attributes.alt ?? '';
      },
      onclosetag(name) {
        if (BLOCKS.has(name)) text += ' ';
      },
      ontext(part) {
        text += part;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  const word = /[\p{L}\p{N}\p{M}_]+(?:(?:(?<=\p{L})[.'’:](?=\p{L})|(?<=\p{N})[.,;'’](?=\p{N}))[\p{L}\p{N}\p{M}_]+)*/gu;
  return text.match(word)?.length ?? 0;
}

/** Segments a whole text at once: the count countWords must equal. */
function wordsBySegmenter(text: string): number {
  let words = 0;
  for (const segment of new Intl.Segmenter('en', { granularity: 'word' }).segment(text)) if (segment.isWordLike) words++;
  return words;
}

/** The HTML of a rendered body, failing the test when there is none. */
function htmlOf(rendered: RenderedBody): string {
  expect(rendered.htmlProblem).toBeNull();
  return rendered.html!;
}

// ---------------------------------------------------------------------------------------------

describe('renderBody', () => {
  it('should render a GFM table with its column alignment as `align`, and strikethrough', () => {
    const markdown = [
      '| Model | WER | Notes |',
      '|:------|----:|:-----:|',
      '| Whisperweight | 4.1% | ~~beta~~ open |',
      '| Large-v3 | 3.2% | |',
    ].join('\n');
    expect(renderBody(markdown)).toEqual({
      html:
        '<table>\n<thead>\n<tr>\n<th align="left">Model</th>\n<th align="right">WER</th>\n<th align="center">Notes</th>\n</tr>\n</thead>\n' +
        '<tbody>\n<tr>\n<td align="left">Whisperweight</td>\n<td align="right">4.1%</td>\n<td align="center"><s>beta</s> open</td>\n</tr>\n' +
        '<tr>\n<td align="left">Large-v3</td>\n<td align="right">3.2%</td>\n<td align="center"></td>\n</tr>\n</tbody>\n</table>\n',
      htmlProblem: null,
      text: 'Model WER Notes\nWhisperweight 4.1% beta open\nLarge-v3 3.2%',
      wordCount: 10,
      readingTimeMinutes: 1,
      headings: [],
    });
  });

  it('should render strikethrough, emphasis and code', () => {
    expect(htmlOf(renderBody('~~Old~~ *new* **bold** `x < y`'))).toBe(
      '<p><s>Old</s> <em>new</em> <strong>bold</strong> <code>x &lt; y</code></p>\n',
    );
  });

  it('should give each heading a prefixed GitHub slug as id, and rewrite links to a heading to that id', () => {
    const rendered = renderBody(
      '# Alpenmind at a glance\n\n## Café test\n\nJump to [the test](#café-test), [the top](#alpenmind-at-a-glance) or [nowhere](#nowhere).',
    );
    expect(rendered.html).toBe(
      '<h1 id="user-content-alpenmind-at-a-glance">Alpenmind at a glance</h1>\n' +
        '<h2 id="user-content-café-test">Café test</h2>\n' +
        '<p>Jump to <a href="#user-content-café-test">the test</a>, <a href="#user-content-alpenmind-at-a-glance">the top</a> ' +
        'or <a href="#nowhere">nowhere</a>.</p>\n',
    );
    expect(rendered.headings).toEqual([
      { depth: 1, text: 'Alpenmind at a glance', anchor: 'user-content-alpenmind-at-a-glance' },
      { depth: 2, text: 'Café test', anchor: 'user-content-café-test' },
    ]);
  });

  it('should mark external http(s) links rel="noopener noreferrer" and leave relative and mailto links alone', () => {
    expect(
      htmlOf(
        renderBody('[Reuters](https://www.reuters.com/technology/), [archive](/archive), <mailto:desk@example.com>, http://example.com'),
      ),
    ).toBe(
      '<p><a href="https://www.reuters.com/technology/" rel="noopener noreferrer">Reuters</a>, <a href="/archive">archive</a>, ' +
        '<a href="mailto:desk@example.com">mailto:desk@example.com</a>, <a href="http://example.com" rel="noopener noreferrer">http://example.com</a></p>\n',
    );
  });

  it('should render task lists as disabled checkboxes with GitHub classes', () => {
    expect(htmlOf(renderBody('- [x] Weights released\n- [ ] Swiss German\n- [link](https://example.com) is no task'))).toBe(
      '<ul class="contains-task-list">\n' +
        '<li class="task-list-item"><input type="checkbox" disabled checked /> Weights released</li>\n' +
        '<li class="task-list-item"><input type="checkbox" disabled /> Swiss German</li>\n' +
        '<li><a href="https://example.com" rel="noopener noreferrer">link</a> is no task</li>\n</ul>\n',
    );
  });

  it('should keep a code block language as a class and escape the code', () => {
    expect(htmlOf(renderBody('```python\nprint("<hi>")\n```'))).toBe(
      '<pre><code class="language-python">print("&lt;hi&gt;")\n</code></pre>\n',
    );
  });

  it('should give plain text with one line per block, cells separated by a space, and no Markdown syntax', () => {
    const rendered = renderBody(
      '# Title\n\nA *first* paragraph\nwith a [link](https://example.com) and ![a chart](https://example.com/c.png).\n\n' +
        '> Quoted `code`  \n> after a hard break\n\n- one\n- two\n  1. nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n```\nconst x = 1;\n```\n',
    );
    expect(rendered.text).toBe(
      'Title\nA first paragraph with a link and a chart.\nQuoted code\nafter a hard break\none\ntwo\nnested\na b\n1 2\nconst x = 1;',
    );
    expect(rendered.wordCount).toBe(wordsBySegmenter(rendered.text));
  });

  it('should count an empty or syntax-only body as no words and no reading time', () => {
    expect(renderBody('---\n\n***\n')).toEqual({
      html: '<hr />\n<hr />\n',
      htmlProblem: null,
      text: '',
      wordCount: 0,
      readingTimeMinutes: 0,
      headings: [],
    });
  });

  it('should refuse to build HTML more than 8 times the Markdown plus 64 KiB, and still count the text', () => {
    const markdown = `${'[a] '.repeat(100)}\n\n[a]: https://example.com/${'x'.repeat(2000)}\n`;
    const rendered = renderBody(markdown);
    expect(maxHtmlLength(markdown.length)).toBe(8 * markdown.length + 65536);
    expect(rendered).toEqual({
      html: null,
      htmlProblem: `its HTML would be longer than ${maxHtmlLength(markdown.length)} characters (8 times the Markdown plus 65536)`,
      text: 'a '.repeat(100).trim(),
      wordCount: 100,
      readingTimeMinutes: 1,
      headings: [],
    });
  });

  it('should drop the tags of inline elements nested deeper than 20, keeping their text', () => {
    const html = htmlOf(renderBody(`${'**a '.repeat(25)}core${' a**'.repeat(25)}`));
    expect(html.split('<strong>').length - 1).toBe(20);
    expect(html.split('</strong>').length - 1).toBe(20);
    expect(html).toContain('core');
  });

  it('should render any string to harmless HTML whose headings match its ids', () => {
    const alphabet = [
      '#',
      '>',
      '-',
      '*',
      '_',
      '~',
      '`',
      '[',
      ']',
      '(',
      ')',
      '<',
      '>',
      '!',
      '|',
      ':',
      '&',
      ';',
      '"',
      "'",
      ' ',
      '\n',
      'a',
      'é',
      '1',
    ];
    const snippets = ['javascript:', 'data:', 'https://x.example/', '<script>', 'onerror=', '&#x61;', '# ', '| - |', '- [x] ', '```'];
    const markdown = fc
      .array(fc.oneof(fc.constantFrom(...alphabet), fc.constantFrom(...snippets)), { maxLength: 200 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(markdown, (source) => {
        const rendered = renderBody(source);
        expect(dangersIn(rendered.html!)).toEqual([]);
        expect(headingElements(rendered.html!).map((heading) => heading.anchor)).toEqual(
          rendered.headings.map((heading) => heading.anchor),
        );
        expect(rendered.wordCount).toBe(wordsBySegmenter(rendered.text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the hostile Markdown fixtures', () => {
  const files = readdirSync(HOSTILE_MARKDOWN).filter((name) => name.endsWith('.md'));
  const bodies = new Map<string, string>();
  beforeAll(async () => {
    const { corpus } = await loadCorpus(HOSTILE_MARKDOWN);
    expect(corpus.diagnostics).toEqual([]);
    for (const article of corpus.preview.articles) bodies.set(article.sourcePath, recordOf(article).body!);
  });

  it('should hold one file per attack', () => {
    expect(files.sort()).toEqual([
      'autolinks.md',
      'data-html-link.md',
      'data-image.md',
      'deep-nesting.md',
      'duplicate-headings.md',
      'entity-javascript-link.md',
      'heading-html.md',
      'iframe.md',
      'img-onerror.md',
      'javascript-link.md',
      'javascript-uppercase-link.md',
      'link-reference-amplification.md',
      'object-embed.md',
      'script-tag.md',
      'style.md',
      'vbscript-link.md',
    ]);
  });

  it.each(files)('should render %s to HTML in which every element and attribute is harmless', (file) => {
    const rendered = renderBody(bodies.get(file)!);
    if (file === 'link-reference-amplification.md') expect(rendered.html).toBeNull();
    else expect(dangersIn(rendered.html!)).toEqual([]);
  });

  it.each([
    ['script-tag.md', ['<script>alert(document.cookie)</script>', 'Inline <script>alert(1)</script>']],
    ['img-onerror.md', ['<img src=x onerror="alert(1)">', 'onclick="alert(1)"']],
    ['iframe.md', ['<iframe src="https://evil.example/" width="1" height="1"></iframe>']],
    ['style.md', ['<style>body { display: none }</style>', '<p style="position:fixed']],
    ['object-embed.md', ['<object data="https://evil.example/x.swf">', '<embed src="https://evil.example/x.swf">']],
  ])('should show the raw HTML of %s as text', (file, shown) => {
    const { text } = renderBody(bodies.get(file)!);
    for (const fragment of shown) expect(text).toContain(fragment);
  });

  it('should leave javascript: links, in any case, as text', () => {
    expect(renderBody(bodies.get('javascript-link.md')!).html).toBe(
      '<p>[inline](javascript:alert(1)) and [angle](&lt;javascript:alert(1)&gt;) and [reference][evil].</p>\n' +
        '<p>![image](javascript:alert(1))</p>\n<p>[evil]: javascript:alert(1)</p>\n',
    );
    expect(renderBody(bodies.get('javascript-uppercase-link.md')!).html).toBe(
      '<p>[upper](JAVASCRIPT:alert(1)) and [mixed](JaVaScRiPt:alert(1)) and [spaced](  javascript:alert(1)).</p>\n',
    );
    expect(renderBody(bodies.get('vbscript-link.md')!).html).toBe(
      '<p>[vb](vbscript:msgbox(1)) and [upper](VBSCRIPT:msgbox(1)) and &lt;vbscript:msgbox(1)&gt;.</p>\n',
    );
  });

  it('should decode character references before judging a scheme, and keep percent-escaped ones relative', () => {
    // `java%09script:` and `java%73cript:` have no scheme (a scheme has no `%`): browsers resolve them as paths.
    expect(renderBody(bodies.get('entity-javascript-link.md')!).html).toBe(
      '<p>[hex](javascript:alert(1)) and [decimal](javascript:alert(1)) and [named](javascript:alert(1)) and ' +
        '<a href="java%09script:alert(1)">tab</a> and <a href="java%73cript:alert(1)">escaped</a>.</p>\n',
    );
  });

  it('should allow data: URLs on raster images only', () => {
    expect(renderBody(bodies.get('data-image.md')!).html).toBe(
      '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="ok" title="A pixel" /></p>\n',
    );
    expect(renderBody(bodies.get('data-html-link.md')!).html).toBe(
      '<p>[html](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E) and [base64](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) ' +
        'and &lt;data:text/html,alert&gt;.</p>\n<p>A link to an image as data is no link either: <a>png</a>.</p>\n' +
        '<p>![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+)</p>\n',
    );
  });

  it('should link scheme and email autolinks, never a javascript: one', () => {
    expect(renderBody(bodies.get('autolinks.md')!).html).toBe(
      '<p>Angle brackets: <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">https://example.com/a?b=1&amp;c=2</a>, ' +
        '<a href="mailto:desk@example.com">mailto:desk@example.com</a>, &lt;javascript:alert(1)&gt;.</p>\n' +
        '<p>Bare: www.example.org, <a href="https://example.net/path?q=%3Cscript%3E" rel="noopener noreferrer">https://example.net/path?q=&lt;script&gt;</a>, ' +
        'and <a href="mailto:newsroom@example.com">newsroom@example.com</a>.</p>\n' +
        '<p>Relative and fragment links stay: <a href="/about">about</a> and <a href="#top">top</a>.</p>\n',
    );
  });

  it('should slug headings with HTML in them from their visible text', () => {
    const rendered = renderBody(bodies.get('heading-html.md')!);
    expect(rendered.headings).toEqual([
      { depth: 1, text: 'Hello <b onclick="alert(1)">world</b>', anchor: 'user-content-hello-b-onclickalert1worldb' },
      { depth: 2, text: '<img src=x onerror=alert(1)> Markets', anchor: 'user-content-img-srcx-onerroralert1-markets' },
      { depth: 3, text: 'Fish & chips code', anchor: 'user-content-fish--chips-code' },
    ]);
    expect(headingElements(rendered.html!)).toEqual(rendered.headings);
  });

  it('should number duplicate headings as GitHub does and point links at the first', () => {
    const rendered = renderBody(bodies.get('duplicate-headings.md')!);
    expect(rendered.html).toBe(
      '<h2 id="user-content-results">Results</h2>\n<h2 id="user-content-results-1">Results</h2>\n' +
        '<h2 id="user-content-results-1-1">Results-1</h2>\n<h2 id="user-content-results-2">Results</h2>\n' +
        '<p>See <a href="#user-content-results">the first results</a> and <a href="#user-content-results-1">the third</a>.</p>\n',
    );
    expect(rendered.headings.map((heading) => heading.anchor)).toEqual([
      'user-content-results',
      'user-content-results-1',
      'user-content-results-1-1',
      'user-content-results-2',
    ]);
  });

  it('should cut nesting at 20 block levels and 20 inline levels', () => {
    const rendered = renderBody(bodies.get('deep-nesting.md')!);
    let depth = 0;
    let deepest = 0;
    const parser = new Parser({
      onopentag() {
        deepest = Math.max(deepest, ++depth);
      },
      onclosetag() {
        depth--;
      },
    });
    parser.write(rendered.html!);
    parser.end();
    expect(deepest).toBe(21); // 20 quotes, then the paragraph in the deepest.
    expect(rendered.text.split('\n').slice(1)).toEqual([
      ...Array.from({ length: 19 }, (_, index) => `level ${index + 1}`),
      'Between.',
      ...Array.from({ length: 9 }, (_, index) => `item ${index + 1}`),
    ]);
  });
});

describe('the sample articles of content/', () => {
  /** The articles that have a body: all but three. */
  let articles: Article[] = [];
  beforeAll(async () => {
    const { corpus } = await loadCorpus(CONTENT_DIR);
    articles = corpus.preview.articles.map(recordOf).filter((article) => article.body !== null);
  });

  it('should render every body to harmless HTML', () => {
    expect(articles.length).toBe(29);
    for (const article of articles) expect(dangersIn(htmlOf(renderBody(article.body!))), article.slug).toEqual([]);
  });

  it('should list each heading with the depth, text and id it has in the HTML, and some articles have headings', () => {
    let headings = 0;
    for (const article of articles) {
      const rendered = renderBody(article.body!);
      expect(headingElements(htmlOf(rendered)), article.slug).toEqual(rendered.headings);
      headings += rendered.headings.length;
    }
    expect(headings).toBeGreaterThan(0);
  });

  it('should count the words an independent count finds in the HTML, and read at 265 a minute', () => {
    for (const article of articles) {
      const rendered = renderBody(article.body!);
      expect(rendered.wordCount, article.slug).toBe(wordsInHtml(htmlOf(rendered)));
      expect(rendered.wordCount, article.slug).toBeGreaterThan(50);
      expect(rendered.readingTimeMinutes, article.slug).toBe(Math.max(1, Math.round(rendered.wordCount / 265)));
    }
  });

  it('should give plain text without Markdown syntax', () => {
    for (const article of articles) {
      const { text } = renderBody(article.body!);
      expect(text, article.slug).not.toMatch(/\*\*|\]\(|^#{1,6} |^[-*+] |^> |^\||<\/?[a-z]+>/m);
      expect(text, article.slug).toBe(text.trim());
    }
  });
});

describe('countWords', () => {
  it.each([
    ['', 0],
    ['  — … !', 0],
    ["Don't stop: it's 4.5% of U.S. GDP, 1,000,000 e-mails", 10],
    ['Zürich café naïve', 3],
  ])('should count %j as %i words', (text, words) => {
    expect(countWords(text)).toBe(words);
    expect(wordsBySegmenter(text)).toBe(words);
  });

  it('should count exactly as segmenting the whole text does, plain runs and windows alike', () => {
    const pieces = [
      ...[
        'a',
        'Z',
        'word',
        'ß',
        'é',
        'e\u0301',
        '4',
        '4.5',
        '東京',
        'ไทย',
        'Ω',
        '👍🏽',
        '🇨🇭',
        ' ',
        '  ',
        '\n',
        '\u00A0',
        '\uFEFF',
        '\u200B',
        '\u0301',
      ],
      ...['.', ',', ';', ':', "'", '’', '‘', '"', '“', '-', '–', '—', '…', '_', '(', '[', '%', '$', '#', '/'],
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 1500 }), (parts) => {
        const text = parts.join('');
        expect(countWords(text)).toBe(wordsBySegmenter(text));
      }),
      { numRuns: 200 },
    );
  });

  it('should count a megabyte in linear time, even without spaces', () => {
    const words = 'The quick brown fox jumps over the lazy dog. '.repeat(24_000);
    expect(countWords(words)).toBe(9 * 24_000);
    expect(countWords('a'.repeat(1 << 20))).toBe(1);
    expect(countWords('a['.repeat(1 << 18))).toBe(1 << 18);
  });
});

describe('readingTimeOf', () => {
  it.each([
    [0, 0],
    [1, 1],
    [132, 1],
    [397, 1],
    [398, 2],
    [530, 2],
    [2650, 10],
  ])('should give %i words %i minutes', (words, minutes) => {
    expect(readingTimeOf(words)).toBe(minutes);
  });
});

describe('truncateText', () => {
  it.each([
    ['Whisperweight transcribes 40 languages offline', 100, 'Whisperweight transcribes 40 languages offline'],
    ['short', 5, 'short'],
    ['Whisperweight transcribes 40 languages offline', 20, 'Whisperweight…'],
    ['abc def ghi', 8, 'abc def…'],
    ['abc def', 4, 'abc…'],
    ['Zürich, Basel and Bern', 10, 'Zürich…'],
    ['Whisperweight — an open model', 16, 'Whisperweight…'],
    ['Supercalifragilistic word', 6, 'Super…'],
    ['🙂🙂🙂 🙂🙂', 5, '🙂🙂🙂…'],
    ['ab', 1, '…'],
  ])('should cut %j to %i characters as %j', (text, maxLength, expected) => {
    expect(truncateText(text, maxLength)).toBe(expected);
    expect(Array.from(truncateText(text, maxLength)).length).toBeLessThanOrEqual(maxLength);
  });
});

describe('createBodyCache', () => {
  /** A record as the loader makes it, with only what the cache reads. */
  const articleWith = (body: string | null, sourcePath = 'story.md') => ({ kind: 'article', sourcePath, body }) as unknown as Article;

  it('should render a body once per article object and again for a new version of the article', () => {
    const cache = createBodyCache();
    const version1 = articleWith('# Title\n\nText.');
    const first = cache.bodyOf(version1);
    expect(first).toEqual(renderBody('# Title\n\nText.'));
    expect(cache.bodyOf(version1)).toBe(first);
    const version2 = articleWith('# Title\n\nNew text.');
    expect(cache.bodyOf(version2)!.text).toBe('Title\nNew text.');
    expect(cache.bodyOf(version1)).toBe(first);
  });

  it('should read a body for its text without rendering its HTML, and render it when asked', () => {
    const cache = createBodyCache();
    const source = `# Title\n\n${'A paragraph with **bold** words and a [link](https://example.com). '.repeat(20)}`;
    const article = articleWith(source);
    const { html, htmlProblem, ...text } = renderBody(source);
    const read = cache.textOf(article);
    expect(read).toEqual(text);
    expect(read).not.toHaveProperty('html');
    const textBytes = cache.bytes;
    const rendered = cache.bodyOf(article);
    expect(rendered).toEqual({ ...text, html, htmlProblem });
    // The rendered body replaced the text alone, HTML counted, and answers for the text from then on.
    expect(cache.bytes).toBeGreaterThan(textBytes + 2 * html!.length - 1);
    expect(cache.textOf(article)).toBe(rendered);
    expect(cache.bodyOf(article)).toBe(rendered);
    expect(cache.textOf(articleWith(null))).toBeNull();
  });

  it('should answer null for an article without a body, and hold nothing for it', () => {
    const cache = createBodyCache();
    expect(cache.bodyOf(articleWith(null))).toBeNull();
    expect(cache.bytes).toBe(0);
  });

  it('should stay within its byte budget, dropping the least recently used', () => {
    const cache = createBodyCache(20_000);
    const articles = Array.from({ length: 10 }, (_, index) => articleWith(`Paragraph ${index}. ${'word '.repeat(200)}`));
    const first = cache.bodyOf(articles[0]!);
    for (const article of articles) {
      cache.bodyOf(article);
      expect(cache.bytes).toBeLessThanOrEqual(20_000);
    }
    expect(cache.bytes).toBeGreaterThan(10_000);
    expect(cache.bodyOf(articles[0]!)).not.toBe(first); // Dropped, rendered again.
    expect(cache.bodyOf(articles[0]!)).toEqual(first);
  });

  it('should name the file in the error of a body the renderer fails on, and keep the failure', () => {
    // No real body makes markdown-it or sanitize-html throw (see the property test above); a record
    // whose body is a String object, which the loader never makes, does: markdown-it wants a primitive.
    const cache = createBodyCache();
    const broken = articleWith(Object('# Title') as string, 'news/broken.md');
    const failure = (() => {
      try {
        cache.bodyOf(broken);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(BodyRenderError);
    expect((failure as BodyRenderError).message).toBe('the body of news/broken.md cannot be rendered');
    expect((failure as BodyRenderError).sourcePath).toBe('news/broken.md');
    expect(() => cache.bodyOf(broken)).toThrow(failure as Error);
    // Read for its text alone, the same failure.
    expect(() => createBodyCache().textOf(broken)).toThrow('the body of news/broken.md cannot be rendered');
  });
});
