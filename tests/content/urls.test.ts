import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../../src/content/front-matter.js';
import { nearKeyOf, normalizeDomain, ownNearKeyOf, parseHttpUrl, urlKey, urlKeyOfHref } from '../../src/content/urls.js';

describe('urlKey', () => {
  it('should give the same key to www, http, trailing-slash, fragment, port and utm_* variants', () => {
    const key = urlKey('https://example.com/news/story');
    expect(key).toBe('example.com/news/story');
    for (const variant of [
      'https://www.example.com/news/story',
      'http://example.com/news/story',
      'https://example.com/news/story/',
      'https://example.com/news/story#comments',
      'https://example.com/news/story?utm_source=newsletter&utm_medium=email',
      'https://example.com:443/news/story',
      'HTTPS://WWW.EXAMPLE.COM/news/story',
      '  http://www.example.com/news/story/?utm_campaign=x#top  ',
    ]) {
      expect(urlKey(variant)).toBe(key);
    }
  });

  it('should ignore parameter order but keep non-tracking parameters', () => {
    expect(urlKey('https://example.com/a?b=2&a=1&fbclid=xyz')).toBe('example.com/a?a=1&b=2');
    expect(urlKey('https://example.com/a?a=1&b=2')).toBe('example.com/a?a=1&b=2');
    expect(urlKey('https://example.com/a?id=1')).not.toBe(urlKey('https://example.com/a?id=2'));
  });

  it('should give different keys to different paths', () => {
    expect(urlKey('https://example.com/news/story')).not.toBe(urlKey('https://example.com/news/other-story'));
    expect(urlKey('https://example.com/news/story')).not.toBe(urlKey('https://example.org/news/story'));
    expect(urlKey('https://example.com/news/story')).not.toBe(urlKey('https://example.com:8443/news/story'));
  });

  it('should return null for javascript: URLs and garbage', () => {
    expect(urlKey('javascript:alert(1)')).toBeNull();
    expect(urlKey('not a url')).toBeNull();
    expect(urlKey('')).toBeNull();
    expect(urlKey('ftp://example.com/file')).toBeNull();
    expect(urlKey('/relative/path')).toBeNull();
  });
});

describe('nearKeyOf and ownNearKeyOf', () => {
  it.each([
    ['https://www.theguardian.com/a/story?amp', 'theguardian.com/a/story'],
    ['https://www.theguardian.com/a/story?amp;amp;amp', 'theguardian.com/a/story'],
    ['https://theguardian.com/a/story/?amp;fs=e&amp;s=cl', 'theguardian.com/a/story'],
    ['https://www.huffpost.com/entry/story_n_62a5?d_id=7', 'huffpost.com/entry/story_n_62a5'],
    ['https://example.com:8443/a?outputType=amp', 'example.com:8443/a'],
  ])('should give %s the key of the same URL without its query', (url, near) => {
    const key = urlKey(url)!;
    expect(nearKeyOf(key)).toBe(near);
    expect(ownNearKeyOf(key)).toBe(near);
    expect(nearKeyOf(near)).toBeNull();
  });

  it('should give no near key to a URL whose query holds tracking parameters only, and the key itself as its own', () => {
    for (const url of ['https://example.com/a', 'https://example.com/a?utm_source=rss&fbclid=1', 'https://example.com/a?']) {
      const key = urlKey(url)!;
      expect(key).toBe('example.com/a');
      expect(nearKeyOf(key)).toBeNull();
      expect(ownNearKeyOf(key)).toBe('example.com/a');
    }
  });

  it('should keep the path as written: a different path or host is never near', () => {
    const near = nearKeyOf(urlKey('https://example.com/a/Story?amp')!);
    expect(near).toBe('example.com/a/Story');
    expect(near).not.toBe(ownNearKeyOf(urlKey('https://example.com/a/story')!));
    expect(near).not.toBe(ownNearKeyOf(urlKey('https://example.org/a/Story')!));
  });
});

describe('urlKeyOfHref', () => {
  it('should equal urlKey for every href parseHttpUrl can return', () => {
    const part = fc.constantFrom(
      'a',
      'B',
      'www.',
      'www',
      '-',
      '.',
      '%41',
      'é',
      ' ',
      '@',
      ':',
      '[',
      ']',
      '::1',
      '80',
      '443',
      '8080',
      '/',
      '//',
      '?',
      '&',
      '=',
      '#',
      'utm_source',
      'amp',
      '+',
    );
    const raw = fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTP://', 'https://user:pw@', 'http://[::1]', 'ftp://', ''),
        fc.array(part, { minLength: 1, maxLength: 6 }),
        fc.array(part, { maxLength: 10 }),
      )
      .map(([scheme, host, rest]) => `${scheme}${host.join('')}.example${rest.join('')}`);
    let compared = 0;
    fc.assert(
      fc.property(raw, (text) => {
        const parsed = parseHttpUrl(text, null);
        if (!parsed.ok) return true;
        compared++;
        return urlKeyOfHref(parsed.url) === urlKey(parsed.url);
      }),
      { numRuns: 20_000, seed: 26 },
    );
    expect(compared).toBeGreaterThan(5_000);
  });
});

describe('parseHttpUrl', () => {
  it('should accept an absolute https URL', () => {
    expect(parseHttpUrl('https://example.com/a', null)).toEqual({ ok: true, url: 'https://example.com/a' });
  });

  it('should reject javascript: and garbage with a reason', () => {
    expect(parseHttpUrl('javascript:alert(1)', null)).toEqual({
      ok: false,
      reason: 'expected an http or https URL, found the scheme "javascript:"',
    });
    expect(parseHttpUrl('not a url', null)).toEqual({ ok: false, reason: 'expected an absolute http(s) URL, found "not a url"' });
    expect(parseHttpUrl('   ', null)).toEqual({ ok: false, reason: 'expected an absolute http(s) URL, found an empty string' });
    expect(parseHttpUrl('data:text/html,<script>alert(1)</script>', 'https://example.org')).toEqual({
      ok: false,
      reason: 'expected an http or https URL, found the scheme "data:"',
    });
  });

  it('should reject a relative URL when no site URL is configured', () => {
    const result = parseHttpUrl('/assets/x.jpg', null);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('found the relative URL "/assets/x.jpg"');
    expect(result.reason).toContain('SITE_URL');
  });

  it('should resolve a relative URL under the site URL, keeping its base path', () => {
    expect(parseHttpUrl('/assets/x.jpg', 'https://example.org/ai')).toEqual({ ok: true, url: 'https://example.org/ai/assets/x.jpg' });
    expect(parseHttpUrl('/assets/x.jpg', 'https://example.org/ai/')).toEqual({ ok: true, url: 'https://example.org/ai/assets/x.jpg' });
  });

  it('should percent-encode the space of an unquoted URL read from YAML', () => {
    const parsed = parseFrontMatter(Buffer.from('---\ntitle: Spaces\nimage: https://example.com/images/a b.jpg\n---\n', 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.data.image).toBe('https://example.com/images/a b.jpg');

    expect(parseHttpUrl(parsed.data.image as string, null)).toEqual({ ok: true, url: 'https://example.com/images/a%20b.jpg' });
  });

  it('should decode &#038; and &amp; in a scraped URL', () => {
    expect(parseHttpUrl('https://example.com/i.jpg?w=1&#038;h=2', null)).toEqual({ ok: true, url: 'https://example.com/i.jpg?w=1&h=2' });
    expect(parseHttpUrl('https://example.com/i.jpg?w=1&amp;h=2', null)).toEqual({ ok: true, url: 'https://example.com/i.jpg?w=1&h=2' });
  });
});

describe('normalizeDomain', () => {
  it('should lowercase and drop www., scheme, path, port and a trailing dot', () => {
    expect(normalizeDomain('www.Example.COM')).toBe('example.com');
    expect(normalizeDomain('https://www.example.com:8080/path?q=1')).toBe('example.com');
    expect(normalizeDomain('example.com.')).toBe('example.com');
    expect(normalizeDomain(' news.example.co.uk ')).toBe('news.example.co.uk');
  });

  it('should return null for garbage, empty strings and dotless hosts', () => {
    expect(normalizeDomain('not a domain')).toBeNull();
    expect(normalizeDomain('')).toBeNull();
    expect(normalizeDomain('localhost')).toBeNull();
    expect(normalizeDomain('javascript:alert(1)')).toBeNull();
  });
});
