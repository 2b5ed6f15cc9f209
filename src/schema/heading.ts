import type { BodyHeading } from '../content/body.js';
import { builder } from './builder.js';

/** A heading of an article body, with the anchor its HTML carries. */
export const Heading = builder.objectRef<BodyHeading>('Heading').implement({
  description: "A heading of an article's body, in document order: what a table of contents lists.",
  fields: (t) => ({
    depth: t.exposeInt('depth', { description: 'The level: 1 for `#` (h1) to 6 for `######` (h6).' }),
    text: t.exposeString('text', { description: 'The heading as plain text, without Markdown syntax.' }),
    anchor: t.exposeString('anchor', {
      description:
        "The heading's `id` in `bodyHtml`, unique within the body: `user-content-` followed by GitHub's slug of the text " +
        '(`## What it can do` gives `user-content-what-it-can-do`; a repeated heading gets `-1`, `-2`, ...). Link to it as `#` + anchor.',
    }),
  }),
});
