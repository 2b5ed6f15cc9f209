import { beforeAll, describe, expect, it } from 'vitest';
import type { NewsgraphServer } from '../../src/http/server.js';
import { CONTENT_DIR, execute, GENEROUS_LIMITS, readRawArticles, serverOf } from '../support.js';

const raw = readRawArticles(CONTENT_DIR);
const drafts = raw.filter((article) => !article.published);

let yoga: NewsgraphServer;
beforeAll(async () => {
  // These tests read whole lists at once; the limits have tests of their own.
  yoga = await serverOf(CONTENT_DIR, { limits: GENEROUS_LIMITS });
});

describe('content health', () => {
  it('should report content health only with the token', async () => {
    const query = `{ contentHealth { articleCount draftCount errorCount warningCount diagnostics { file } } }`;
    expect((await execute(yoga, query)).body.data).toEqual({ contentHealth: null });
    expect((await execute(yoga, query, {}, { preview: true })).body.data).toEqual({
      contentHealth: { articleCount: raw.length, draftCount: drafts.length, errorCount: 0, warningCount: 0, diagnostics: [] },
    });
  });
});
