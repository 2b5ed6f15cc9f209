import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/content/load.js';
import type { StoredArticle } from '../../src/content/stored-article.js';
import { foldForSearch, oneByteCopy } from '../../src/content/summary.js';
import { CONTENT_DIR, requireSharedCorpus, SAMPLE_CORPUS } from '../support.js';

const sharedCorpus = requireSharedCorpus();

/** Whether V8 holds this string at one byte per character (its serialization's tag says so). */
function isOneByte(text: string): boolean {
  return v8.serialize(text)[2] === '"'.charCodeAt(0);
}

const fitsLatin1 = (text: string) => [...text].every((character) => character.charCodeAt(0) <= 0xff);

describe('oneByteCopy', () => {
  it('should copy a two-byte string whose characters all fit into one byte each, and keep any other as it is', () => {
    const fileText = 'title: “Quoted” in a file\nurl: https://example.com/news/an-article-of-some-length';
    const ascii = fileText.slice(fileText.indexOf('https'));
    const latin1 = `${fileText.slice(0, 5)} café`;
    expect([isOneByte(fileText), isOneByte(ascii), isOneByte(latin1)]).toEqual([false, false, false]);
    const copies = [fileText, ascii, latin1].map(oneByteCopy);
    expect(copies).toEqual([fileText, ascii, latin1]);
    expect(copies.map(isOneByte)).toEqual([false, true, true]);
    expect(isOneByte(oneByteCopy('plain'))).toBe(true);
  });
});

describe('the folded search text of a load', () => {
  async function expectOneByteWhereItFits(directory: string, threads: number) {
    const { corpus } = await loadCorpus(directory, { threads });
    const texts = corpus.preview.articles.map((article) => (article as StoredArticle).searchText);
    const fitting = texts.filter(fitsLatin1);
    expect(fitting.length).toBeGreaterThan(texts.length / 2);
    expect(fitting.filter((text) => !isOneByte(text))).toEqual([]);
    expect(texts.map((text) => foldForSearch(text))).toEqual(texts);
  }

  it('should hold every folded text of content/ that fits at one byte per character, on the loading thread and on workers', async () => {
    await expectOneByteWhereItFits(CONTENT_DIR, 1);
    await expectOneByteWhereItFits(CONTENT_DIR, 2);
  });

  it.skipIf(!sharedCorpus)('should hold every folded text of the real sample that fits at one byte per character', async () => {
    await expectOneByteWhereItFits(SAMPLE_CORPUS, 2);
  });
});
