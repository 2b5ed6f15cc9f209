import type { LoadProgress, LoadResult, StoreUse } from './load.js';
import type { Diagnostic } from './model.js';

/** One diagnostic as a line: `path: field: severity: message` (`path: severity: message` for a whole-file problem). */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const field = diagnostic.field === null ? '' : `${diagnostic.field}: `;
  return `${diagnostic.file}: ${field}${diagnostic.severity}: ${diagnostic.message}`;
}

/** Diagnostics counted by severity. */
export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  return { errors, warnings: diagnostics.length - errors };
}

/** The summary of a load, one `name: value` line per figure, for people and for scripts. */
export function formatSummary(directory: string, result: LoadResult): string {
  const { preview, public: publicView } = result.corpus;
  const { errors, warnings } = countBySeverity(result.corpus.diagnostics);
  const lines: [string, string | number][] = [
    ['directory', directory],
    ['files', result.fileCount],
    ['articles', preview.stats.articles],
    ['published', publicView.stats.articles],
    ['drafts', preview.stats.drafts],
    ['providers', preview.stats.providers],
    ['topics', preview.stats.topics],
    ['related entries', preview.stats.relatedEntries],
    ['related resolved', preview.stats.relatedResolved],
    ['related resolved publicly', publicView.stats.relatedResolved],
    ['errors', errors],
    ['warnings', warnings],
    ['load ms', Math.round(result.timings.totalMs)],
  ];
  return lines.map(([name, value]) => `${name}: ${value}`).join('\n');
}

/** The one log line of a finished load: counts of the public view, drafts, diagnostics and time. */
export function formatLoadLine(directory: string, result: LoadResult): string {
  const { preview, public: publicView } = result.corpus;
  const { errors, warnings } = countBySeverity(result.corpus.diagnostics);
  return (
    `loaded ${directory}: ${publicView.stats.articles} articles, ${preview.stats.drafts} drafts, ` +
    `${publicView.stats.providers} providers, ${publicView.stats.topics} topics, ${errors} errors, ${warnings} warnings ` +
    `in ${Math.round(result.timings.totalMs)} ms` +
    storePart(result.store)
  );
}

/** What the content store gave a load, for its log line. */
function storePart(store: StoreUse): string {
  if (store.directory === null) return '';
  if (store.snapshot === 'restored') return ` (${store.reused} files from the content store, restored from its snapshot)`;
  return ` (${store.reused} files from the content store, ${store.parsed} parsed)`;
}

/** One log line of a load in progress: files done of all, the rate so far, and the time left at that rate. */
export function formatProgressLine(progress: LoadProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (progress.filesDone * 1000) / elapsedMs : 0;
  const left = rate > 0 ? Math.ceil((progress.filesTotal - progress.filesDone) / rate) : null;
  const percent = progress.filesTotal === 0 ? 100 : Math.floor((progress.filesDone * 100) / progress.filesTotal);
  return (
    `loading: ${progress.filesDone.toLocaleString('en')} of ${progress.filesTotal.toLocaleString('en')} files (${percent} %), ` +
    `${Math.round(rate).toLocaleString('en')} files/s, ${left === null ? 'time left unknown' : `about ${left} s left`}`
  );
}
