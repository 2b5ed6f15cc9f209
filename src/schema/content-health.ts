import type { Corpus } from '../content/corpus.js';
import { countBySeverity } from '../content/report.js';
import { builder } from './builder.js';
import { Diagnostic } from './diagnostic.js';

/** The state of the loaded content, for editors and tooling. */
const ContentHealth = builder.objectRef<Corpus>('ContentHealth').implement({
  description: 'The state of the loaded content: counts and every problem found in the files.',
  fields: (t) => ({
    version: t.string({
      description:
        'Which version of the content this is: the start of a hash of the files it was loaded from, then `.1`, `.2`, ... for each update the server applied since. The same files load as the same version.',
      resolve: (corpus) => corpus.version,
    }),
    articleCount: t.int({ description: 'Articles loaded, drafts included.', resolve: (corpus) => corpus.preview.stats.articles }),
    draftCount: t.int({ description: 'Drafts among them.', resolve: (corpus) => corpus.preview.stats.drafts }),
    errorCount: t.int({
      description: 'Files skipped because of an error.',
      resolve: (corpus) => countBySeverity(corpus.diagnostics).errors,
    }),
    warningCount: t.int({ description: 'Fields dropped or defaulted.', resolve: (corpus) => countBySeverity(corpus.diagnostics).warnings }),
    diagnostics: t.field({
      type: [Diagnostic],
      description: 'Every problem, ordered by file path.',
      resolve: (corpus) => corpus.diagnostics,
    }),
  }),
});

builder.queryFields((t) => ({
  contentHealth: t.field({
    type: ContentHealth,
    nullable: true,
    description:
      'Counts and problems of the loaded content. Null unless the request carries the preview token, because diagnostics name draft files.',
    resolve: (_root, _args, context) => (context.view.kind === 'preview' ? context.corpus : null),
  }),
}));
