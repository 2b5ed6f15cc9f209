import { foldAccents } from './text.js';

/**
 * A slug: lowercase letters and digits joined by single hyphens, accents folded
 * (`Natural Language Processing` -> `natural-language-processing`, `Café` -> `cafe`); letters of
 * other scripts are kept (`人工知能` stays).
 */
export function slugify(text: string): string {
  return foldAccents(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .normalize('NFC');
}
