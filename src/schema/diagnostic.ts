import type { Diagnostic as DiagnosticRecord } from '../content/model.js';
import { builder } from './builder.js';

/** How bad a content problem is. */
const DiagnosticSeverity = builder.enumType('DiagnosticSeverity', {
  description: 'How bad a content problem is.',
  values: {
    ERROR: { value: 'error', description: 'The file was skipped.' },
    WARNING: { value: 'warning', description: 'One field was dropped or defaulted; the article was kept.' },
  } as const,
});

/** One problem found in one content file. */
export const Diagnostic = builder.objectRef<DiagnosticRecord>('Diagnostic').implement({
  description: 'A problem found in a content file when the corpus was loaded.',
  fields: (t) => ({
    file: t.exposeString('file', { description: 'Path of the file relative to the content directory.' }),
    field: t.exposeString('field', {
      nullable: true,
      description: 'Path of the front-matter field (`related[2].webUrl`); null when the problem is the whole file.',
    }),
    severity: t.field({
      type: DiagnosticSeverity,
      description: 'ERROR skipped the file; WARNING dropped one field.',
      resolve: (d) => d.severity,
    }),
    message: t.exposeString('message', { description: 'What was expected and what was found.' }),
  }),
});
