import { decodeHTMLStrict } from 'entities';

/** Windows-1252 bytes 0x80-0x9F, by the character they decode to. */
const CP1252_HIGH: ReadonlyMap<string, number> = new Map(
  [
    '\u20AC',
    '\u0081',
    '\u201A',
    '\u0192',
    '\u201E',
    '\u2026',
    '\u2020',
    '\u2021',
    '\u02C6',
    '\u2030',
    '\u0160',
    '\u2039',
    '\u0152',
    '\u008D',
    '\u017D',
    '\u008F',
    '\u0090',
    '\u2018',
    '\u2019',
    '\u201C',
    '\u201D',
    '\u2022',
    '\u2013',
    '\u2014',
    '\u02DC',
    '\u2122',
    '\u0161',
    '\u203A',
    '\u0153',
    '\u009D',
    '\u017E',
    '\u0178',
  ].map((char, index) => [char, 0x80 + index]),
);

/**
 * A run of characters that could be UTF-8 bytes misread as Windows-1252: a lead byte (Â-ô)
 * followed by one to three continuation bytes (0x80-0xBF as Windows-1252 shows them).
 */
const MOJIBAKE_RUN = new RegExp(
  `[\\u00C2-\\u00F4](?:[\\u0080-\\u00BF${[...CP1252_HIGH.keys()].filter((char) => char.charCodeAt(0) > 0xff).join('')}]){1,3}`,
  'g',
);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The Windows-1252 byte of one character, or -1 when it has none. */
function cp1252Byte(char: string): number {
  const code = char.charCodeAt(0);
  if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
  return CP1252_HIGH.get(char) ?? (code >= 0x80 && code <= 0x9f ? code : -1);
}

/**
 * True when a repaired run decodes to what mojibake in news text almost always hides: Latin-1
 * and Latin Extended-A letters (`Ã©` -> `é`, `Å‚` -> `ł`) or punctuation, currency and letterlike
 * symbols (`â€¦` -> `…`, `â‚¬` -> `€`, `â„¢` -> `™`). Anything else (CJK, IPA, Greek symbols) is
 * far more likely valid text that happens to decode, such as `café\u00A0»` or `PELÉ’S`.
 */
function isPlausibleRepair(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const plausible =
      (code >= 0x00a0 && code <= 0x017f) ||
      (code >= 0x2000 && code <= 0x206f) ||
      (code >= 0x20a0 && code <= 0x20cf) ||
      (code >= 0x2100 && code <= 0x214f);
    if (!plausible) return false;
  }
  return true;
}

/** One mojibake run repaired, or the run itself when its bytes are not clean UTF-8. */
function repairRun(run: string): string {
  const bytes = new Uint8Array(run.length);
  for (let index = 0; index < run.length; index++) {
    const byte = cp1252Byte(run[index]!);
    if (byte < 0) return run;
    bytes[index] = byte;
  }
  try {
    const repaired = strictUtf8.decode(bytes);
    return isPlausibleRepair(repaired) ? repaired : run;
  } catch {
    return run;
  }
}

/**
 * Repairs UTF-8 text that was once decoded as Windows-1252 (`promptâ€¦` -> `prompt…`), run by
 * run, and only where a run decodes cleanly; valid text (`café`, `Zürich`, `—`) never changes.
 */
export function repairMojibake(text: string): string {
  return text.replace(MOJIBAKE_RUN, repairRun);
}

/**
 * Turns a front-matter string into plain text: HTML character references decoded (`&amp;`,
 * `&nbsp;`, `&#038;`, with their semicolons, so a literal `AT&T` stays) and mojibake repaired.
 */
export function toPlainText(text: string): string {
  const decoded = text.includes('&') ? decodeHTMLStrict(text) : text;
  return repairMojibake(decoded);
}

/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 keeps substrings as
 * views into their parent, so a title kept from a parsed file would keep the whole file alive;
 * flattening a one-character concatenation copies just the characters needed.
 */
export function detach(text: string): string {
  return ` ${text}`.slice(1);
}

/** `text` with its accents removed (`Café` -> `Cafe`): decomposed, combining marks dropped. */
export function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}
