import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONTENT_DIR, PROJECT_ROOT, readRawArticles, requireSharedCorpus, SAMPLE_CORPUS } from '../support.js';

const sharedCorpus = requireSharedCorpus();

describe('the check-content command', () => {
  const runWith = (env: Record<string, string>, ...args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/check-content.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
    );
  const run = (...args: string[]) => runWith({}, ...args);

  it('should exit 0 for the sample content under --strict: it has no diagnostic', async () => {
    const { code, stdout } = await run(CONTENT_DIR, '--strict');
    expect(code).toBe(0);
    expect(stdout).toContain('errors: 0\nwarnings: 0\n');
  });

  it.skipIf(!sharedCorpus)('should exit 1 under --strict when there are warnings, listing each as path: field: message', async () => {
    const { code, stdout } = await run(SAMPLE_CORPUS, '--strict');
    expect(code).toBe(1);
    expect(stdout).toContain(
      '2017-02-11-saffron-technology-how-intels-cognitive-computing-acquisition-thrives-on-chaos.md: provider.images[0].url: warning: expected an absolute http(s) URL, found the relative URL "/assets/images/organizations/techrepublic.com-50x50.jpg"',
    );
    expect((await run(SAMPLE_CORPUS)).code).toBe(0);
    expect((await run(SAMPLE_CORPUS, '--strict', '--site-url', 'https://everyday-cc.github.io/ai')).code).toBe(0);
  });

  it('should read its settings as the server does: MAX_FILE_BYTES from the environment, CONTENT_DIR as the default directory', async () => {
    const sizes = readdirSync(CONTENT_DIR).map((name) => statSync(path.join(CONTENT_DIR, name)).size);
    const limit = Math.min(...sizes);
    const fitting = sizes.filter((size) => size <= limit).length;
    const { code, stdout } = await runWith({ MAX_FILE_BYTES: String(limit), CONTENT_DIR }, '--strict');
    expect(code).toBe(1);
    expect(stdout).toContain(`directory: ${CONTENT_DIR}\nfiles: ${sizes.length}\narticles: ${fitting}\n`);
    expect(stdout.match(/over the limit of \d+ bytes \(MAX_FILE_BYTES\)/g)).toHaveLength(sizes.length - fitting);
  });

  it('should refuse an invalid setting with exit code 2, naming it', async () => {
    const { code, stdout } = await runWith({ MAX_FILE_BYTES: 'lots' }, CONTENT_DIR);
    expect(code).toBe(2);
    expect(stdout).toBe('check-content: MAX_FILE_BYTES must be a whole number from 1 to 1073741824, found "lots"\n');
  });

  it('should exit 1 when the directory cannot be read', async () => {
    const { code, stdout } = await run(path.join(PROJECT_ROOT, 'no-such-directory'));
    expect(code).toBe(1);
    expect(stdout).toContain('cannot read the content directory');
  });

  it.skipIf(!sharedCorpus)('should print the same counts as an independent reading of the real sample', async () => {
    const files = readRawArticles(SAMPLE_CORPUS);
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'src/cli/check-content.ts', SAMPLE_CORPUS], { cwd: process.cwd() });
    const summary = Object.fromEntries(
      stdout
        .split('\n')
        .filter((line) => /^[a-z ]+: /.test(line))
        .map((line) => line.split(': ')),
    );
    const published = files.filter((file) => file.published).length;
    expect(summary).toMatchObject({
      files: String(files.length),
      articles: String(files.length),
      published: String(published),
      drafts: String(files.length - published),
      'related entries': String(files.reduce((sum, file) => sum + file.related.length, 0)),
      'related resolved': '353',
      errors: '0',
    });
  });
});
