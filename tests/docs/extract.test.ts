import { describe, expect, it } from 'vitest';
import { extractExamples } from './extract.js';

const fence = (info: string, body: string) => `\`\`\`${info}\n${body}\n\`\`\``;

describe('extractExamples', () => {
  it('should read a query, its variables, its options and its response', () => {
    const markdown = [
      '# Title',
      '',
      '<!-- example: {"preview": true, "status": 200} -->',
      '',
      fence('graphql', 'query Page($n: Int) {\n  articles(first: $n) { totalCount }\n}'),
      '',
      fence('json variables', '{ "n": 2 }'),
      fence('json', '{ "data": { "articles": { "totalCount": 30 } } }'),
    ].join('\n');
    expect(extractExamples(markdown, 'x.md')).toEqual([
      {
        file: 'x.md',
        index: 1,
        line: 5,
        operation: 'Page',
        query: 'query Page($n: Int) {\n  articles(first: $n) { totalCount }\n}',
        variables: { n: 2 },
        options: { preview: true, status: 200 },
        response: { data: { articles: { totalCount: 30 } } },
      },
    ]);
  });

  it('should number examples per file and name anonymous operations', () => {
    const markdown = [fence('graphql', '{ a }'), fence('json', '{}'), 'text', fence('graphql', 'query B { b }'), fence('json', '[]')].join(
      '\n',
    );
    expect(extractExamples(markdown, 'x.md').map((example) => [example.index, example.operation])).toEqual([
      [1, 'anonymous'],
      [2, 'B'],
    ]);
  });

  it('should ignore other code blocks, including graphql-schema and fences inside longer fences', () => {
    const markdown = [
      fence('graphql-schema', 'type A { b: Int }'),
      fence('sh', 'npm start'),
      '````markdown',
      fence('graphql', '{ a }'),
      '````',
    ].join('\n');
    expect(extractExamples(markdown, 'x.md')).toEqual([]);
  });

  it('should refuse a graphql block without a response directly after it', () => {
    expect(() => extractExamples(fence('graphql', '{ a }'), 'x.md')).toThrow('x.md:1: a ```graphql block must be followed directly');
    expect(() => extractExamples([fence('graphql', '{ a }'), 'prose', fence('json', '{}')].join('\n'), 'x.md')).toThrow('x.md:1');
  });

  it('should refuse a malformed example comment, an unknown option and invalid JSON', () => {
    const example = (comment: string, response = '{}') => [comment, fence('graphql', '{ a }'), fence('json', response)].join('\n');
    expect(() => extractExamples(example('<!-- example: preview -->'), 'x.md')).toThrow('x.md:2: write the example comment as');
    expect(() => extractExamples(example('<!-- example: {"token": "x"} -->'), 'x.md')).toThrow('unknown example option "token"');
    expect(() => extractExamples(example('', '{ data: 1 }'), 'x.md')).toThrow('x.md:5: not valid JSON');
  });

  it('should refuse an unclosed code block', () => {
    expect(() => extractExamples('```graphql\n{ a }\n', 'x.md')).toThrow('x.md:1: the code block is never closed');
  });
});
