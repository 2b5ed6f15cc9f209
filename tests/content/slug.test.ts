import { describe, expect, it } from 'vitest';
import { slugify } from '../../src/content/slug.js';

describe('slugify', () => {
  it.each([
    ['Natural Language Processing', 'natural-language-processing'],
    ['  Hello   World  ', 'hello-world'],
    ['GPT-4o', 'gpt-4o'],
    ['AI', 'ai'],
  ])('should lowercase %j and join its words with single hyphens', (text, expected) => {
    expect(slugify(text)).toBe(expected);
  });

  it.each([
    ['Café Crème', 'cafe-creme'],
    ['Nguyễn Ánh', 'nguyen-anh'],
    ['Zürich', 'zurich'],
    ['Ελληνικά', 'ελληνικα'],
    ['ﬁne Ｆull', 'fine-full'],
  ])('should fold the accents and compatibility forms of %j', (text, expected) => {
    expect(slugify(text)).toBe(expected);
  });

  it.each([
    ['人工知能', '人工知能'],
    ['ガイド', 'ガイド'],
    ['Машинное обучение', 'машинное-обучение'],
    ['हिन्दी', 'हिन्दी'],
  ])('should keep the letters and marks of another script in %j', (text, expected) => {
    expect(slugify(text)).toBe(expected);
  });

  it.each([
    ['AI & ML: the future?!', 'ai-ml-the-future'],
    ['a_b.c/d', 'a-b-c-d'],
    ['one -- two', 'one-two'],
  ])('should turn each run of punctuation and spaces in %j into one hyphen', (text, expected) => {
    expect(slugify(text)).toBe(expected);
  });

  it.each([
    ['--already--slugged--', 'already-slugged'],
    ['(quoted)', 'quoted'],
    ['...dots...', 'dots'],
  ])('should drop leading and trailing hyphens of %j', (text, expected) => {
    expect(slugify(text)).toBe(expected);
  });

  it.each([[''], ['!!!'], ['  '], ['- / -']])('should give an empty slug for %j, which has no letters or digits', (text) => {
    expect(slugify(text)).toBe('');
  });

  it('should give a slug that slugifies to itself', () => {
    for (const text of ['Natural Language Processing', 'Café Crème', '人工知能', 'AI & ML: the future?!']) {
      expect(slugify(slugify(text)), text).toBe(slugify(text));
    }
  });
});
