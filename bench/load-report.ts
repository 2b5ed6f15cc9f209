/** The load benchmark's printed report: the table of sizes, the targets, and the CPU profile of loadCorpus. */
import os from 'node:os';
import path from 'node:path';
import type { GenerateResult } from './generate.js';
import type { ProfileSummary } from './lib/cpu-profile.js';
import { fmt, markdownTable, verdict } from './lib/report.js';
import { round } from './lib/stats.js';

/** The targets, judged at 100k articles. */
export const TARGETS = { size: 100_000, loadOverFloor: 2.5, restartOverFloor: 1.5, heapKbPerArticle: 2, rssMb: 700 };

/** Heap and RSS of a process with the load module imported and nothing loaded, in bytes. */
export interface Baseline {
  readonly heapUsed: number;
  readonly rss: number;
}

/** The medians of one corpus size, and every run's figures. */
export interface SizeResult {
  size: number;
  generated: GenerateResult;
  generateSeconds: number;
  floorSyncMs: number;
  floorAsyncMs: number;
  floorMs: number;
  /** Until the corpus can serve, as `npm start` loads it (its snapshot deferred). */
  loadMs: number;
  /** Writing the deferred snapshot (what a restart restores), after loadMs, while the corpus already serves. */
  persistMs: number;
  persistCpuMs: number;
  /** CPU time (user + system, all threads) of the floors and the load: less sensitive to a busy machine than wall time. */
  floorSyncCpuMs: number;
  floorAsyncCpuMs: number;
  loadCpuMs: number;
  scanMs: number;
  readMs: number;
  parseMs: number;
  indexMs: number;
  ratio: number;
  /** A load right after a cold one, with the content store it wrote. */
  restartMs: number;
  restartRatio: number;
  restartIndexMs: number;
  /** Checking and opening the content store and reading its entries, in the restart. */
  restartStoreMs: number;
  /** Heap per article of the restarted process, over the baseline. */
  restartHeapKbPerArticle: number;
  /** RSS of the restarted process. */
  restartRssMb: number;
  heapUsedBytes: number;
  heapKbPerArticle: number;
  rssMb: number;
  rssKbPerArticle: number;
  peakRssMb: number;
  articles: number;
  publicArticles: number;
  relatedResolved: number;
  warnings: number;
  errors: number;
  runs: {
    floorSyncMs: number[];
    floorAsyncMs: number[];
    loadMs: number[];
    restartMs: number[];
    loadCpuMs: number[];
    persistMs: number[];
    heapUsed: number[];
    rss: number[];
  };
}

/** Prints the medians of every size, their CPU times, the corpus check and the targets. */
export function printResults(results: readonly SizeResult[], baseline: Baseline): void {
  console.log('');
  console.log(
    `Load benchmark (medians of the runs; node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')})`,
  );
  console.log(
    `Baseline process (load module imported, nothing loaded): heap ${fmt(baseline.heapUsed / 1048576, 1)} MiB, RSS ${fmt(baseline.rss / 1048576, 1)} MiB`,
  );
  console.log('');
  console.log(
    markdownTable(
      [
        'articles',
        'MiB',
        'floor sync ms',
        'floor async ms',
        'read floor ms',
        'load ms',
        'scan',
        'read',
        'parse',
        'index',
        'load/floor',
        'heap KB/article',
        'RSS MB',
        'RSS KB/article',
        'peak RSS MB',
      ],
      results.map((result) => [
        String(result.size),
        fmt(result.generated.bytes / 1048576, 1),
        fmt(result.floorSyncMs),
        fmt(result.floorAsyncMs),
        fmt(result.floorMs),
        fmt(result.loadMs),
        fmt(result.scanMs),
        fmt(result.readMs),
        fmt(result.parseMs),
        fmt(result.indexMs),
        `${fmt(result.ratio, 2)}x`,
        fmt(result.heapKbPerArticle, 2),
        fmt(result.rssMb),
        fmt(result.rssKbPerArticle, 2),
        fmt(result.peakRssMb),
      ]),
    ),
  );
  console.log('');
  console.log('Restart with the content store written by the cold load (medians):');
  console.log(
    markdownTable(
      [
        'articles',
        'read floor ms',
        'cold load ms',
        'then its snapshot ms',
        'restart ms',
        'of which store check + read',
        'of which index',
        'restart/floor',
        'heap KB/article',
        'RSS MB',
      ],
      results.map((result) => [
        String(result.size),
        fmt(result.floorMs),
        fmt(result.loadMs),
        fmt(result.persistMs),
        fmt(result.restartMs),
        fmt(result.restartStoreMs),
        fmt(result.restartIndexMs),
        `${fmt(result.restartRatio, 2)}x`,
        fmt(result.restartHeapKbPerArticle, 2),
        fmt(result.restartRssMb),
      ]),
    ),
  );
  console.log('');
  console.log('CPU time (user + system, all threads), medians; wall time above is inflated when the machine is busy:');
  console.log(
    markdownTable(
      [
        'articles',
        'floor sync CPU ms',
        'floor async CPU ms',
        'load CPU ms',
        'then its snapshot CPU ms',
        'load CPU / floor sync CPU',
        'load wall / CPU',
      ],
      results.map((result) => [
        String(result.size),
        fmt(result.floorSyncCpuMs),
        fmt(result.floorAsyncCpuMs),
        fmt(result.loadCpuMs),
        fmt(result.persistCpuMs),
        `${fmt(result.loadCpuMs / result.floorSyncCpuMs, 2)}x`,
        fmt(result.loadMs / result.loadCpuMs, 2),
      ]),
    ),
  );
  console.log('');
  console.log(
    'Corpus check: ' +
      results
        .map(
          (result) =>
            `${result.size}: ${result.articles} articles (${result.publicArticles} public), ${result.relatedResolved}/${result.generated.relatedEntries} related entries resolved, ${result.warnings} warnings, ${result.errors} errors`,
        )
        .join('; '),
  );
  console.log('');
  const atTarget = results.find((result) => result.size === TARGETS.size);
  const judged = atTarget ?? results.at(-1);
  if (judged === undefined) return;
  const note = atTarget === undefined ? ` (indicative only: ${TARGETS.size} was not run, judged at ${judged.size})` : '';
  console.log(`Targets at ${TARGETS.size} articles${note}:`);
  console.log(
    `  load <= ${TARGETS.loadOverFloor} x read floor : ${fmt(judged.loadMs)} ms / ${fmt(judged.floorMs)} ms = ${fmt(judged.ratio, 2)}x  ${verdict(judged.ratio <= TARGETS.loadOverFloor)}`,
  );
  console.log(
    `  restart <= ${TARGETS.restartOverFloor} x read floor : ${fmt(judged.restartMs)} ms / ${fmt(judged.floorMs)} ms = ${fmt(judged.restartRatio, 2)}x  ${verdict(judged.restartRatio <= TARGETS.restartOverFloor)}`,
  );
  console.log(
    `  heap <= ${TARGETS.heapKbPerArticle} KB per article (restarted server) : ${fmt(judged.restartHeapKbPerArticle, 2)} KB (${fmt(judged.heapKbPerArticle, 2)} KB after the cold load)  ${verdict(judged.restartHeapKbPerArticle <= TARGETS.heapKbPerArticle)}`,
  );
  console.log(
    `  RSS <= ${TARGETS.rssMb} MB (restarted server) : ${fmt(judged.restartRssMb)} MB (${fmt(judged.rssMb)} MB after the cold load, peak during it ${fmt(judged.peakRssMb)} MB)  ${verdict(judged.restartRssMb <= TARGETS.rssMb)}`,
  );
}

/** The loader's own steps, whose total (inclusive) time is listed. */
const LOADER_STEPS = [
  'loadCorpus',
  'scanContent',
  'readAll',
  'parseFrontMatter',
  'matter',
  'loadYaml',
  'load',
  'assertFiniteTree',
  'normalizeArticle',
  'related',
  'images',
  'provider',
  'text',
  'url',
  'toPlainText',
  'repairMojibake',
  'decodeHTMLStrict',
  'parseHttpUrl',
  'normalizeDomain',
  'hostOf',
  'slugify',
  'urlKey',
  'createCorpus',
  'CorpusView',
  'indexUrls',
  'resolveRelated',
  'findTarget',
  'buildProviders',
  'buildTopics',
  'keepFirstOfEachSlug',
  'compareByDate',
  'extra',
  '(anonymous in assertFiniteTree)',
  'listener',
  'measureLists',
  'date',
  'number',
  'topics',
  'strings',
  'mappings',
];

/** Prints where loadCorpus spent its time in a profile (self time by function and by package or file, total time of the loader steps) and returns those tables. */
export function printProfile(
  summary: ProfileSummary,
  timings: { readonly scanMs: number; readonly readMs: number; readonly parseMs: number; readonly indexMs: number },
  size: number,
): Record<string, unknown> {
  const row = (entry: { name: string; percent: number; ms: number }) => ({
    name: entry.name,
    percent: round(entry.percent),
    ms: round(entry.ms, 0),
  });
  const topFunctions = summary.functions.map((entry) => row({ ...entry, name: `${entry.name}  ${entry.location}`.trimEnd() }));
  const categories = summary.groups.map(row);
  const inclusive = summary.inclusive
    .filter((entry) => LOADER_STEPS.includes(entry.name))
    .map((entry) => row({ ...entry, name: entry.location === '' ? entry.name : `${entry.name} (${path.basename(entry.location)})` }));

  console.log('');
  console.log(
    `CPU profile of loadCorpus at ${size} articles: ${fmt(summary.windowMs)} ms wall in the window, ${summary.totalSamples} samples at 0.5 ms${summary.windowIgnored ? ' (whole process: clock window mismatch)' : ''}`,
  );
  console.log(
    `(load timings in that run: scan ${fmt(timings.scanMs)}, read ${fmt(timings.readMs)}, parse ${fmt(timings.parseMs)}, index ${fmt(timings.indexMs)} ms; profiling adds overhead)`,
  );
  const sections: [string, string[], string[][]][] = [
    [
      'Top self time by function:',
      ['#', 'self %', 'self ms', 'function  location'],
      topFunctions.map((entry, index) => [String(index + 1), fmt(entry.percent, 1), String(entry.ms), entry.name]),
    ],
    [
      'Self time by package / file:',
      ['self %', 'self ms', 'package or file'],
      categories.map((entry) => [fmt(entry.percent, 1), String(entry.ms), entry.name]),
    ],
    [
      'Total (inclusive) time of the loader steps:',
      ['total %', 'total ms', 'function (file)'],
      inclusive.map((entry) => [fmt(entry.percent, 1), String(entry.ms), entry.name]),
    ],
  ];
  for (const [title, headers, rows] of sections) {
    console.log('');
    console.log(title);
    console.log(markdownTable(headers, rows));
  }
  return {
    size,
    windowMs: round(summary.windowMs, 0),
    samples: summary.totalSamples,
    topFunctions: topFunctions.slice(0, 15),
    categories: categories.slice(0, 15),
    inclusive,
  };
}
