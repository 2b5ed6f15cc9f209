import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServerProcess } from '../support.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServerProcess();
});
afterAll(async () => {
  await server?.stop();
});

const audits = serverAudits({ url: () => `${server.origin}/graphql` });

describe('GraphQL over HTTP (graphql-http audit suite, against the real server)', () => {
  it('should include every MUST and SHOULD audit', () => {
    expect(audits.filter((audit) => audit.name.startsWith('MUST')).length).toBeGreaterThan(10);
    expect(audits.filter((audit) => audit.name.startsWith('SHOULD')).length).toBeGreaterThan(10);
  });

  // MAY audits are optional in the specification; the server passes them too, so they are held to it.
  it.each(audits.map((audit) => [audit.id, audit.name, audit] as const))('should pass %s %s', async (_id, _name, audit) => {
    const result = await audit.fn();
    expect(result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`).toBe('ok');
  });
});
