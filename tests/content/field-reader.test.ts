import { describe, expect, it } from 'vitest';
import { describe as describeValue, FieldReader, type FieldReaderOptions, own } from '../../src/content/field-reader.js';
import type { Diagnostic } from '../../src/content/model.js';

const FILE = 'news/2024-03-14-story.md';

function reader(options: Partial<FieldReaderOptions> = {}): FieldReader {
  return new FieldReader(FILE, { siteUrl: null, ...options });
}

function warning(field: string, message: string): Diagnostic {
  return { file: FILE, field, severity: 'warning', message };
}

describe('FieldReader.warn and FieldReader.error', () => {
  it('should record diagnostics in order, with the file, the field path and the severity', () => {
    const read = reader();
    read.warn('related[2].webUrl', 'dropped');
    read.error(null, 'the file is skipped');
    read.error('title', 'no title');
    expect(read.diagnostics).toEqual([
      warning('related[2].webUrl', 'dropped'),
      { file: FILE, field: null, severity: 'error', message: 'the file is skipped' },
      { file: FILE, field: 'title', severity: 'error', message: 'no title' },
    ]);
  });
});

describe('FieldReader.text', () => {
  it.each([
    ['a string', 'Plain title', 'Plain title'],
    ['a string with spaces around it', '  Padded  ', 'Padded'],
    ['HTML character references', 'AT&amp;T &#038; friends', 'AT&T & friends'],
    ['mojibake', 'promptâ€¦', 'prompt…'],
    ['a number', 42, '42'],
    ['a boolean', true, 'true'],
  ])('should read %s as plain text', (_name, value, expected) => {
    const read = reader();
    expect(read.text({ title: value }, 'title', 'title')).toBe(expected);
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['a missing key', {}],
    ['null', { title: null }],
    ['an empty string', { title: '' }],
    ['spaces only', { title: '   ' }],
    ['an empty character reference', { title: '&nbsp;' }],
  ])('should read %s as null without a diagnostic', (_name, fields) => {
    const read = reader();
    expect(read.text(fields, 'title', 'title')).toBeNull();
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['a list', ['a'], 'a list of 1'],
    ['a mapping', { name: 'x' }, 'a mapping'],
    ['a date', new Date('2024-03-14T09:30:00Z'), 'the date 2024-03-14T09:30:00.000Z'],
  ])('should drop %s with a warning on its path', (_name, value, found) => {
    const read = reader();
    expect(read.text({ name: value }, 'name', 'provider.name')).toBeNull();
    expect(read.diagnostics).toEqual([warning('provider.name', `expected a string, found ${found}; the field is dropped`)]);
  });
});

describe('FieldReader.keep', () => {
  it('should return an equal string and remember nothing without options.strings', () => {
    expect(reader().keep('Shared title')).toBe('Shared title');
  });

  it('should keep each string once in options.strings and return the kept one for an identical string', () => {
    const strings = new Map<string, string>();
    const first = reader({ strings });
    expect(first.keep('Shared title')).toBe('Shared title');
    expect([...strings]).toEqual([['Shared title', 'Shared title']]);
    // A second file of the same load gets what the map holds, not a copy of its own string.
    strings.set('Shared title', 'the string kept first');
    expect(reader({ strings }).keep('Shared title')).toBe('the string kept first');
    expect(strings.size).toBe(1);
  });

  it('should keep the strings that text, url and strings read', () => {
    const strings = new Map<string, string>();
    const read = reader({ strings });
    read.text({ title: ' Title ' }, 'title', 'title');
    read.url({ webUrl: 'https://example.org/a' }, 'webUrl', 'webUrl');
    read.strings({ topics: ['AI', 'AI', 'ML'] }, 'topics', 'topics');
    expect([...strings.keys()]).toEqual(['Title', 'https://example.org/a', 'AI', 'ML']);
  });
});

describe('FieldReader.date', () => {
  it.each([
    ['a YAML timestamp', new Date('2024-03-14T09:30:00Z'), Date.parse('2024-03-14T09:30:00Z')],
    ['an ISO date-time string', '2024-03-14T09:30:00Z', Date.parse('2024-03-14T09:30:00Z')],
    ['an ISO date-time string with an offset', '2024-03-14T10:30:00+01:00', Date.parse('2024-03-14T09:30:00Z')],
    ['a date string with spaces around it', ' 2024-03-14 ', Date.parse('2024-03-14T00:00:00Z')],
  ])('should read %s as epoch milliseconds', (_name, value, expected) => {
    const read = reader();
    expect(read.date({ publishedDateTime: value }, 'publishedDateTime', 'publishedDateTime')).toBe(expected);
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['a date in words', 'March 14, 2024', '"March 14, 2024"'],
    ['an impossible date', '2024-13-45', '"2024-13-45"'],
    ['a number', 1710408600000, 'number 1710408600000'],
    ['an invalid YAML timestamp', new Date(Number.NaN), 'the date Invalid Date'],
    ['a list', ['2024-03-14'], 'a list of 1'],
  ])('should drop %s with a warning', (_name, value, found) => {
    const read = reader();
    expect(read.date({ publishedDateTime: value }, 'publishedDateTime', 'related[0].publishedDateTime')).toBeNull();
    expect(read.diagnostics).toEqual([
      warning(
        'related[0].publishedDateTime',
        `expected an ISO-8601 date-time such as 2024-03-14T09:30:00Z, found ${found}; the field is dropped`,
      ),
    ]);
  });

  it('should read a missing or null date as null without a diagnostic', () => {
    const read = reader();
    expect(read.date({}, 'publishedDateTime', 'publishedDateTime')).toBeNull();
    expect(read.date({ publishedDateTime: null }, 'publishedDateTime', 'publishedDateTime')).toBeNull();
    expect(read.diagnostics).toEqual([]);
  });
});

describe('FieldReader.url', () => {
  it.each([
    ['an absolute URL', null, 'https://Example.org/a b', 'https://example.org/a%20b'],
    ['a URL with an encoded ampersand', null, 'https://example.org/?a=1&#038;b=2', 'https://example.org/?a=1&b=2'],
    ['a protocol-relative URL', null, '//cdn.example.org/logo.png', 'https://cdn.example.org/logo.png'],
    ['a relative URL with a site URL', 'https://example.org/ai', '/assets/logo.png', 'https://example.org/ai/assets/logo.png'],
  ])('should read %s', (_name, siteUrl, value, expected) => {
    const read = reader({ siteUrl });
    expect(read.url({ url: value }, 'url', 'images[0].url')).toBe(expected);
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['another scheme', 'ftp://example.org/a', 'expected an http or https URL, found the scheme "ftp:"'],
    ['text that is no URL', 'not a url', 'expected an absolute http(s) URL, found "not a url"'],
    ['an empty string', '', 'expected an absolute http(s) URL, found an empty string'],
    ['a number', 5, 'expected an absolute http(s) URL, found number 5'],
  ])('should drop %s with a warning', (_name, value, reason) => {
    const read = reader();
    expect(read.url({ url: value }, 'url', 'images[0].url')).toBeNull();
    expect(read.diagnostics).toEqual([warning('images[0].url', `${reason}; the field is dropped`)]);
  });

  it('should drop a relative URL without a site URL, saying SITE_URL would resolve it', () => {
    const read = reader();
    expect(read.url({ url: '/assets/logo.png' }, 'url', 'provider.images[0].url')).toBeNull();
    expect(read.diagnostics).toEqual([
      warning(
        'provider.images[0].url',
        'expected an absolute http(s) URL, found the relative URL "/assets/logo.png" and no site URL is configured to resolve it (SITE_URL); the field is dropped',
      ),
    ]);
  });

  it('should drop a relative URL without a site URL with a warning naming it and SITE_URL', () => {
    const read = reader();
    expect(read.url({ url: '/assets/logo.png' }, 'url', 'provider.images[0].url')).toBeNull();
    expect(read.diagnostics).toEqual([warning('provider.images[0].url', expect.stringContaining('"/assets/logo.png"'))]);
    expect(read.diagnostics[0]!.message).toMatch(/SITE_URL\); the field is dropped$/);
  });
});

describe('FieldReader.number', () => {
  const range = { min: 0, max: 100 };

  it.each([0, 57, 100])('should read the whole number %d within the range', (value) => {
    const read = reader();
    expect(read.number({ quality: value }, 'quality', 'quality', range)).toBe(value);
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['below the range', -1, 'number -1'],
    ['above the range', 101, 'number 101'],
    ['a fraction', 1.5, 'number 1.5'],
    ['a numeric string', '5', '"5"'],
    ['a boolean', true, 'boolean true'],
  ])('should drop %s with a warning naming the range', (_name, value, found) => {
    const read = reader();
    expect(read.number({ quality: value }, 'quality', 'related[1].quality', range)).toBeNull();
    expect(read.diagnostics).toEqual([
      warning('related[1].quality', `expected a whole number from 0 to 100, found ${found}; the field is dropped`),
    ]);
  });
});

describe('FieldReader.boolean', () => {
  it.each([true, false])('should read %s', (value) => {
    const read = reader();
    expect(read.boolean({ isCached: value }, 'isCached', 'images[0].isCached')).toBe(value);
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['"yes"', 'yes'],
    ['number 1', 1],
  ])('should drop %s with a warning', (found, value) => {
    const read = reader();
    expect(read.boolean({ isCached: value }, 'isCached', 'images[0].isCached')).toBeNull();
    expect(read.diagnostics).toEqual([warning('images[0].isCached', `expected true or false, found ${found}; the field is dropped`)]);
  });
});

describe('FieldReader.strings', () => {
  it('should read a list of strings as plain text, dropping empty items with a warning each and keeping duplicates once', () => {
    const read = reader();
    expect(read.strings({ topics: ['AI', ' ML ', 'AI', '', 3, 'ML', 'R&amp;D'] }, 'topics', 'topics')).toEqual(['AI', 'ML', 'R&D']);
    expect(read.diagnostics).toEqual([
      warning('topics[3]', 'expected a non-empty string, found ""; the item is dropped'),
      warning('topics[4]', 'expected a non-empty string, found number 3; the item is dropped'),
    ]);
  });

  it('should read a lone string as a one-item list with a warning', () => {
    const read = reader();
    expect(read.strings({ topics: 'AI' }, 'topics', 'topics')).toEqual(['AI']);
    expect(read.diagnostics).toEqual([warning('topics', 'expected a list of strings, found a single string; read as a one-item list')]);
  });

  it('should warn twice for a lone empty string: once as a lone string, once as an empty item', () => {
    const read = reader();
    expect(read.strings({ topics: ' ' }, 'topics', 'topics')).toEqual([]);
    expect(read.diagnostics).toEqual([
      warning('topics', 'expected a list of strings, found a single string; read as a one-item list'),
      warning('topics[0]', 'expected a non-empty string, found " "; the item is dropped'),
    ]);
  });

  it.each([
    ['a mapping', { a: 1 }, 'a mapping'],
    ['a number', 7, 'number 7'],
  ])('should drop %s with a warning', (_name, value, found) => {
    const read = reader();
    expect(read.strings({ tags: value }, 'tags', 'tags')).toEqual([]);
    expect(read.diagnostics).toEqual([warning('tags', `expected a list of strings, found ${found}; the field is dropped`)]);
  });

  it('should read a missing or null list as an empty list without a diagnostic', () => {
    const read = reader();
    expect(read.strings({}, 'tags', 'tags')).toEqual([]);
    expect(read.strings({ tags: null }, 'tags', 'tags')).toEqual([]);
    expect(read.diagnostics).toEqual([]);
  });
});

describe('FieldReader.mappings', () => {
  it('should keep the mappings of a list with their paths and drop every other item with a warning', () => {
    const read = reader();
    const items = read.mappings({ related: [{ title: 'A' }, 'text', ['x'], new Date(0), null, { title: 'B' }] }, 'related', 'related');
    expect(items).toEqual([
      { fields: { title: 'A' }, path: 'related[0]' },
      { fields: { title: 'B' }, path: 'related[5]' },
    ]);
    expect(read.diagnostics).toEqual([
      warning('related[1]', 'expected a mapping, found "text"; the item is dropped'),
      warning('related[2]', 'expected a mapping, found a list of 1; the item is dropped'),
      warning('related[3]', 'expected a mapping, found the date 1970-01-01T00:00:00.000Z; the item is dropped'),
      warning('related[4]', 'expected a mapping, found null; the item is dropped'),
    ]);
  });

  it('should drop a value that is not a list with a warning', () => {
    const read = reader();
    expect(read.mappings({ images: { url: 'https://example.org/a.jpg' } }, 'images', 'provider.images')).toEqual([]);
    expect(read.diagnostics).toEqual([warning('provider.images', 'expected a list, found a mapping; the field is dropped')]);
  });

  it('should read a missing list as an empty list without a diagnostic', () => {
    const read = reader();
    expect(read.mappings({}, 'related', 'related')).toEqual([]);
    expect(read.diagnostics).toEqual([]);
  });
});

describe('FieldReader.mapping', () => {
  it('should read a nested mapping', () => {
    const read = reader();
    expect(read.mapping({ provider: { name: 'Reuters', domain: 'reuters.com' } }, 'provider', 'provider')).toEqual({
      name: 'Reuters',
      domain: 'reuters.com',
    });
    expect(read.mapping({}, 'provider', 'provider')).toBeNull();
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['a list', [], 'a list of 0'],
    ['a string', 'Reuters', '"Reuters"'],
    ['a date', new Date(0), 'the date 1970-01-01T00:00:00.000Z'],
  ])('should drop %s with a warning', (_name, value, found) => {
    const read = reader();
    expect(read.mapping({ provider: value }, 'provider', 'related[0].provider')).toBeNull();
    expect(read.diagnostics).toEqual([warning('related[0].provider', `expected a mapping, found ${found}; the field is dropped`)]);
  });
});

describe('FieldReader.secret', () => {
  it('should read a string as it is', () => {
    const read = reader();
    expect(read.secret({ secured: '  s3cr3t;value==  ' }, 'secured')).toBe('  s3cr3t;value==  ');
    expect(read.secret({}, 'secured')).toBeNull();
    expect(read.diagnostics).toEqual([]);
  });

  it.each([
    ['a number', 987654321, '987654321'],
    ['a mapping', { token: 'hidden-token-value' }, 'hidden-token-value'],
    ['a list', ['hidden-list-value'], 'hidden-list-value'],
  ])('should drop %s with a warning that never shows the value', (_name, value, hidden) => {
    const read = reader();
    expect(read.secret({ secured: value }, 'secured')).toBeNull();
    expect(read.diagnostics).toEqual([warning('secured', 'expected a string, found a value of another type; the field is dropped')]);
    expect(JSON.stringify(read.diagnostics)).not.toContain(hidden);
  });
});

describe('FieldReader.share', () => {
  it('should build a fresh record each time without options.shared', () => {
    const read = reader();
    const a = read.share('provider\nreuters.com', () => ({ domain: 'reuters.com' }));
    const b = read.share('provider\nreuters.com', () => ({ domain: 'reuters.com' }));
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });

  it('should give every reader of one load the record first built for a key', () => {
    const shared = new Map<string, object>();
    let builds = 0;
    const build = () => {
      builds++;
      return { domain: 'reuters.com' };
    };
    const first = reader({ shared }).share('provider\nreuters.com', build);
    const second = reader({ shared }).share('provider\nreuters.com', build);
    const other = reader({ shared }).share('provider\nbbc.co.uk', () => ({ domain: 'bbc.co.uk' }));
    expect(second).toBe(first);
    expect(builds).toBe(1);
    expect(other).toEqual({ domain: 'bbc.co.uk' });
    expect([...shared.keys()]).toEqual(['provider\nreuters.com', 'provider\nbbc.co.uk']);
  });
});

describe('own', () => {
  it('should read an own key', () => {
    expect(own({ title: 'A' }, 'title')).toBe('A');
    expect(own(JSON.parse('{"__proto__": "own value"}'), '__proto__')).toBe('own value');
  });

  it.each(['__proto__', 'constructor', 'toString', 'inherited'])('should ignore the inherited key %s', (key) => {
    expect(own(Object.create({ inherited: 'from the prototype' }), key)).toBeUndefined();
  });

  it('should keep the getters from reading inherited keys', () => {
    const read = reader();
    expect(read.text({}, 'constructor', 'constructor')).toBeNull();
    expect(read.mapping({}, '__proto__', '__proto__')).toBeNull();
    expect(read.strings({}, 'toString', 'toString')).toEqual([]);
    expect(read.diagnostics).toEqual([]);
  });
});

describe('describe', () => {
  it.each([
    ['null', null, 'null'],
    ['a date', new Date('2024-03-14T09:30:00Z'), 'the date 2024-03-14T09:30:00.000Z'],
    ['an invalid date', new Date(Number.NaN), 'the date Invalid Date'],
    ['a list', [1, 2], 'a list of 2'],
    ['a mapping', { a: 1 }, 'a mapping'],
    ['a short string', 'say "hi"', '"say \\"hi\\""'],
    ['a string of 60 characters', 'x'.repeat(60), `"${'x'.repeat(60)}"`],
    ['a string over 60 characters', 'x'.repeat(61), `"${'x'.repeat(57)}..."`],
    ['a number', 3, 'number 3'],
    ['a boolean', false, 'boolean false'],
    ['undefined', undefined, 'undefined undefined'],
  ])('should describe %s', (_name, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});
