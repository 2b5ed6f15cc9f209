import { escapeUTF8 } from 'entities';
import { type Token, tokensOf } from './search.js';

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

/** Text made of tabs, line breaks and printable ASCII only: lowercasing is its whole fold, character by character. */
const ASCII_TEXT = /^[\t\n\r -~]*$/;

/**
 * Whether a text may have a word matching a term. Exact for ASCII text (a matching word, lowercased,
 * contains the term); any other text may. Most fields of a hit have none of the searched words.
 */
function mayMatch(text: string, terms: readonly string[]): boolean {
  if (!ASCII_TEXT.test(text)) return true;
  const lower = text.toLowerCase();
  return terms.some((term) => lower.includes(term.endsWith('*') ? term.slice(0, -1) : term));
}

/**
 * The text as HTML with each word that matches a search term wrapped in `<mark>`, everything else
 * escaped; cut to about SNIPPET_WORDS words around the first match (with `…` where cut), or null
 * when no word matches. Words are read only as far as the snippet needs.
 */
export function highlight(text: string, terms: readonly string[]): string | null {
  if (!mayMatch(text, terms)) return null;
  const matches = matcher(terms);
  const tokens: Token[] = [];
  let first = -1;
  // Every word up to the first match and SNIPPET_WORDS after it; `cut` when words were left unread.
  let cut = false;
  for (const token of tokensOf(text)) {
    if (first >= 0 && tokens.length >= first + SNIPPET_WORDS) {
      cut = true;
      break;
    }
    tokens.push(token);
    if (first < 0 && matches(token.word)) first = tokens.length - 1;
  }
  if (first < 0) return null;
  // Read in full, a text of SNIPPET_WORDS or fewer is shown whole; else the window starts
  // WORDS_BEFORE before the first match, or earlier when the text ends before it is full.
  const from = !cut && tokens.length <= SNIPPET_WORDS ? 0 : Math.max(0, Math.min(first - WORDS_BEFORE, tokens.length - SNIPPET_WORDS));
  const to = Math.min(tokens.length, from + SNIPPET_WORDS);
  const whole = !cut && to === tokens.length;
  const start = from === 0 ? 0 : tokens[from]!.start;
  const end = whole ? text.length : tokens[to - 1]!.end;
  let html = from === 0 ? '' : '…';
  let at = start;
  for (let index = from; index < to; index++) {
    const token = tokens[index]!;
    if (!matches(token.word)) continue;
    html += `${escapeUTF8(text.slice(at, token.start))}<mark>${escapeUTF8(text.slice(token.start, token.end))}</mark>`;
    at = token.end;
  }
  html += escapeUTF8(text.slice(at, end));
  return whole ? html : `${html}…`;
}
