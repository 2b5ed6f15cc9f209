import { describe, expect, it } from 'vitest';
import { createTempCorpus, execute, serverOf } from '../support.js';

const QUERY = `{
  contentHealth {
    articleCount
    errorCount
    warningCount
    diagnostics { file field severity message }
  }
}`;

describe('Diagnostic', () => {
  it('should serve each diagnostic with its file, field, severity as WARNING or ERROR, and message, ordered by file', async () => {
    const directory = createTempCorpus({
      'b-warning.md': '---\ntitle: Kept\nheat: hot\n---\nBody.\n',
      'news/a-unclosed.md': '---\ntitle: Never closed\n\nBody.\n',
      'a-untitled.md': '---\nexcerpt: no title\n---\nBody.\n',
    });
    const { body } = await execute(await serverOf(directory), QUERY, {}, { preview: true });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      contentHealth: {
        articleCount: 1,
        errorCount: 2,
        warningCount: 1,
        diagnostics: [
          {
            file: 'a-untitled.md',
            field: 'title',
            severity: 'ERROR',
            message: 'expected a non-empty string, found no title; the file is skipped',
          },
          {
            file: 'b-warning.md',
            field: 'heat',
            severity: 'WARNING',
            message: 'expected a whole number from -1 to 1000000, found "hot"; the field is dropped',
          },
          {
            file: 'news/a-unclosed.md',
            field: null,
            severity: 'ERROR',
            message: 'the front matter is not closed: expected a line that is exactly "---" after it',
          },
        ],
      },
    });
  });
});
