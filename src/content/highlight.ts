import { escapeUTF8 } from 'entities';
import { tokenize } from './search.js';

/** Words shown before the first matched word when a long text is cut to a snippet. */
const WORDS_BEFORE = 8;
/** The most words a snippet shows. */
const SNIPPET_WORDS = 32;

/** Whether a folded word is one of the search terms: equal to a word, or starting with a `prefix*` term. */
function matcher(terms: readonly string[]): (word: string) => boolean {
  const exact = new Set(terms.filter((term) => !term.endsWith('*')));
  const prefixes = terms.filter((term) => term.endsWith('*')).map((term) => term.slice(0, -1));
  return (word) => exact.has(word) || prefixes.some((prefix) => word.startsWith(prefix));
}

/**
 * The text as HTML with each word that matches a search term wrapped in `<mark>`, everything else
 * escaped; cut to about SNIPPET_WORDS words around the first match (with `…` where cut), or null
 * when no word matches.
 */
export function highlight(text: string, terms: readonly string[]): string | null {
  const matches = matcher(terms);
  const tokens = tokenize(text);
  const first = tokens.findIndex((token) => matches(token.word));
  if (first < 0) return null;
  const from = tokens.length <= SNIPPET_WORDS ? 0 : Math.max(0, Math.min(first - WORDS_BEFORE, tokens.length - SNIPPET_WORDS));
  const to = Math.min(tokens.length, from + SNIPPET_WORDS);
  const start = from === 0 ? 0 : tokens[from]!.start;
  const end = to === tokens.length ? text.length : tokens[to - 1]!.end;
  let html = from === 0 ? '' : '…';
  let at = start;
  for (const token of tokens.slice(from, to)) {
    if (!matches(token.word)) continue;
    html += `${escapeUTF8(text.slice(at, token.start))}<mark>${escapeUTF8(text.slice(token.start, token.end))}</mark>`;
    at = token.end;
  }
  html += escapeUTF8(text.slice(at, end));
  return to === tokens.length ? html : `${html}…`;
}
