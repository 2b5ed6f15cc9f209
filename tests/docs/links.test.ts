/** Every relative link of the documentation points to a file that exists, and to a heading that exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support.js';

const files = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The markdown outside fenced code blocks, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');
}

/** GitHub's anchor for a heading: lowercase, punctuation but `-` and `_` dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\-_ ]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const headings = prose(readFileSync(path.join(PROJECT_ROOT, file), 'utf8')).match(/^#{1,6} .*$/gm) ?? [];
  return new Set(headings.map((heading) => anchorOf(heading.replace(/^#+ /, ''))));
}

const links = files.flatMap((file) =>
  [...prose(readFileSync(path.join(PROJECT_ROOT, file), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => [file, target] as const),
);

describe('documentation links', () => {
  it('should find relative links to check', () => {
    expect(links.length).toBeGreaterThan(10);
  });

  it.each(links)('should resolve the link in %s to %s', (file, target) => {
    const [relative, anchor] = target.split('#') as [string, string | undefined];
    const linked = relative === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), relative));
    expect(existsSync(path.join(PROJECT_ROOT, linked)), `${linked} exists`).toBe(true);
    if (anchor !== undefined) expect([...anchorsOf(linked)], `${linked} has a heading for #${anchor}`).toContain(anchor);
  });
});
