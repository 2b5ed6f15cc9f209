/**
 * Every GraphQL example in README.md and docs/*.md runs against content/ and must get exactly the
 * response the file shows (status and whole body), so the documentation cannot drift from the API.
 * The convention for writing examples is in CONTRIBUTING.md; the extractor is ./extract.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { CONTENT_DIR, execute, PROJECT_ROOT, serverOf } from '../support.js';
import { type Example, extractExamples } from './extract.js';

/** The preview token the docs start the server with (`PREVIEW_TOKEN=secret npm start`). */
const DOCS_PREVIEW_TOKEN = 'secret';

/** Files that must hold at least one example, so a broken extractor cannot pass by finding none. */
const FILES_WITH_EXAMPLES = ['README.md', 'docs/api.md', 'docs/content.md', 'docs/errors.md', 'docs/operations.md'];

const files = [
  'README.md',
  ...readdirSync(path.join(PROJECT_ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.posix.join('docs', name.split(path.sep).join('/'))),
];

const examples: Example[] = files.flatMap((file) => extractExamples(readFileSync(path.join(PROJECT_ROOT, file), 'utf8'), file));

let yoga: Awaited<ReturnType<typeof serverOf>>;
beforeAll(async () => {
  // What a user of `PREVIEW_TOKEN=secret npm start` gets: no batch-call report in the responses.
  yoga = await serverOf(CONTENT_DIR, { previewToken: DOCS_PREVIEW_TOKEN, reportBatchCalls: false });
});

describe('documentation examples', () => {
  it.each(FILES_WITH_EXAMPLES)('should find examples in %s', (file) => {
    expect(files).toContain(file);
    expect(examples.filter((example) => example.file === file).length).toBeGreaterThan(0);
  });

  it.each(Object.keys(ERROR_CODES))('should explain %s in its own section of docs/errors.md', (code) => {
    const errorsDoc = readFileSync(path.join(PROJECT_ROOT, 'docs/errors.md'), 'utf8');
    expect(errorsDoc.split('\n')).toContain(`## ${code}`);
  });

  const named = examples.map(
    (example) => [`${example.file} example ${example.index} (${example.operation}, line ${example.line})`, example] as const,
  );
  it.each(named)('should answer %s as shown', async (_name, example) => {
    const { preview, authorization, status = 200 } = example.options;
    const headers: Record<string, string> = {};
    if (preview) headers.authorization = `Bearer ${DOCS_PREVIEW_TOKEN}`;
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await execute(yoga, example.query, example.variables, { headers });
    expect({ status: response.status, body: response.body }).toEqual({ status, body: example.response });
  });
});
