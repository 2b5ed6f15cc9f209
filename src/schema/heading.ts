import type { BodyHeading } from '../content/body.js';
import { builder } from './builder.js';
import { cacheIdentities } from './image.js';

/** A heading with the cache identity it has in its article (see identifyHeadings). */
interface IdentifiedHeading extends BodyHeading {
  readonly id: string;
}

/**
 * The headings of the article `slug` with their ids, in document order:
 * `cacheIdentities('Heading', 'Article:<slug>', headings, JSON of [depth, text, anchor])`.
 */
export function identifyHeadings(slug: string, headings: readonly BodyHeading[]): IdentifiedHeading[] {
  if (headings.length === 0) return [];
  const ids = cacheIdentities('Heading', `Article:${slug}`, headings, ({ depth, text, anchor }) => JSON.stringify([depth, text, anchor]));
  return headings.map((heading, index) => ({ ...heading, id: ids[index]! }));
}

/** A heading of an article body, with the anchor its HTML carries. */
export const Heading = builder.objectRef<IdentifiedHeading>('Heading').implement({
  description: "A heading of an article's body, in document order: what a table of contents lists.",
  fields: (t) => ({
    id: t.exposeID('id', {
      description:
        'An opaque identity for client caches (Apollo Client and urql Graphcache normalize objects by `id`); not a global id, ' +
        'so `node(id:)` does not fetch it. Derived from the article and the heading (depth, text and anchor): the same in every ' +
        'query and content version while neither changes, and unique in the corpus.',
    }),
    depth: t.exposeInt('depth', { description: 'The level: 1 for `#` (h1) to 6 for `######` (h6).' }),
    text: t.exposeString('text', { description: 'The heading as plain text, without Markdown syntax.' }),
    anchor: t.exposeString('anchor', {
      description:
        "The heading's `id` in `bodyHtml`, unique within the body: `user-content-` followed by GitHub's slug of the text " +
        '(`## What it can do` gives `user-content-what-it-can-do`; a repeated heading gets `-1`, `-2`, ...). Link to it as `#` + anchor.',
    }),
  }),
});
