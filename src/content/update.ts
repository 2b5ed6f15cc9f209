/**
 * The incremental update: a new corpus version from the last one and the files that changed, in
 * time proportional to what changed. Only the changed files' entries are written; slug winners,
 * URL keys, near keys, related entries that point at a changed URL (exactly or by its near key),
 * providers and topics are looked up by key (entries.ts) and adjusted; everything else is shared
 * with the last version (layered-map.ts).
 * The result is the same corpus a fresh load of the same files builds, except that a file that
 * became invalid keeps serving its last valid version, and list maxima (the cost model's bounds)
 * only grow until the next load.
 */
import type { Corpus } from './corpus.js';
import type { ContentEntries } from './entries.js';
import { LayeredMap } from './layered-map.js';
import type { Article, Diagnostic, Provider, Topic, ViewKind } from './model.js';
import { compareNewestFirst, compareStrings } from './order.js';
import { ChunkedList, mergeSorted } from './sorted-list.js';
import type { FileToStore, LoadedFile } from './store.js';
import { StoredArticle } from './stored-article.js';
import type { ArticleSummary } from './summary.js';
import { nearKeyOf, ownNearKeyOf } from './urls.js';
import {
  ArticleIndex,
  adjust,
  CorpusView,
  compareProviders,
  compareTopics,
  findTarget,
  type IndexedArticle,
  measureLists,
  type ProviderTally,
  providerOf,
  TallyBuilder,
  topicOf,
} from './view.js';

/** One changed file, as the update receives it. */
export type FileChange =
  /** Read and parsed: valid or not, as its entry says. */
  | { readonly kind: 'parsed'; readonly file: FileToStore }
  /** Refused without reading (over the size cap, a link out of the directory, a broken link). */
  | {
      readonly kind: 'refused';
      readonly relativePath: string;
      readonly size: number;
      readonly mtimeMs: number;
      readonly diagnostic: Diagnostic;
    }
  /** Deleted (or moved out). */
  | { readonly kind: 'gone'; readonly relativePath: string };

/** What one update did to one view: articles that entered it, were replaced in it, or left it. */
export interface ViewChanges {
  readonly added: readonly Article[];
  /** Each replaced article (same file): its last version and its new one. */
  readonly updated: readonly { readonly before: Article; readonly after: Article }[];
  /** The last version of each article that left. */
  readonly removed: readonly Article[];
}

/** How many articles a view's changes add, replace or remove. */
export function changedArticles(changes: ViewChanges): number {
  return changes.added.length + changes.updated.length + changes.removed.length;
}

/** A published update. */
export interface CorpusUpdate {
  readonly corpus: Corpus;
  readonly changes: { readonly public: ViewChanges; readonly preview: ViewChanges };
  /** The diagnostics of the changed files (and of slug collisions the update made) in the new version. */
  readonly problems: readonly Diagnostic[];
}

/** The file a change is about. */
export function pathOfChange(change: FileChange): string {
  return change.kind === 'parsed' ? change.file.relativePath : change.relativePath;
}

/** Files written to the content store in one transaction; a larger update yields to the event loop between them. */
const WRITE_CHUNK_FILES = 1_000;
/** From this many changes on, the update yields to the event loop between its steps, so requests are served meanwhile. */
const YIELD_FROM_CHANGES = 256;
/** The article list of a provider or topic that had none. */
const NO_ARTICLES = ChunkedList.from<Article>([]);

/**
 * Applies changed files to a corpus: writes their entries (and records) to `content` and resolves
 * to the next version, `previous` unchanged (it can be served while this runs: a large update
 * yields to the event loop between its steps). A file that was valid and is no longer keeps its
 * last valid version (entry and record), with the new problem reported. `entriesBefore` holds the
 * changed files' entries in `previous` when the caller has read them already, or when `content` no
 * longer does (another process has written this update to a shared content store already:
 * LiveCorpus.follow); without it they are read from `content`.
 */
export async function updateCorpus(
  previous: Corpus,
  content: ContentEntries,
  changes: readonly FileChange[],
  version: string,
  entriesBefore?: ReadonlyMap<string, LoadedFile | undefined>,
): Promise<CorpusUpdate> {
  const pause = changes.length >= YIELD_FROM_CHANGES ? () => new Promise((resolve) => setImmediate(resolve)) : () => undefined;
  const before = new Map<string, LoadedFile | undefined>();
  const problems = new Map<string, readonly Diagnostic[]>();
  const rewritten = new Set<string>();
  const writes: FileToStore[] = [];
  const removals: string[] = [];
  for (const change of changes) {
    const relativePath = pathOfChange(change);
    const old = entriesBefore === undefined ? content.entry(relativePath) : entriesBefore.get(relativePath);
    before.set(relativePath, old);
    articleIn(previous.preview.index, old?.summary ?? null)?.pin();
    if (change.kind === 'gone') {
      if (old !== undefined) removals.push(relativePath);
      problems.set(relativePath, []);
      continue;
    }
    const loaded: LoadedFile =
      change.kind === 'parsed'
        ? change.file.loaded
        : { size: change.size, mtimeMs: change.mtimeMs, summary: null, diagnostics: [change.diagnostic] };
    if (loaded.summary === null && old?.summary != null) {
      // Invalid now: keep serving the last valid version (its record stays), and say so.
      const kept: Diagnostic = {
        file: relativePath,
        field: null,
        severity: 'warning',
        message: 'the file no longer holds a valid article; its last valid version is served until it is fixed',
      };
      writes.push({ relativePath, loaded: { ...loaded, summary: old.summary, diagnostics: [...loaded.diagnostics, kept] }, article: null });
      problems.set(relativePath, [...loaded.diagnostics, kept]);
    } else if (change.kind === 'refused') {
      if (old !== undefined) removals.push(relativePath);
      problems.set(relativePath, loaded.diagnostics);
    } else {
      writes.push(change.file);
      problems.set(relativePath, loaded.diagnostics);
      if (loaded.summary !== null) rewritten.add(relativePath);
    }
  }
  // The previous version's records of these files are pinned above, so it reads none of these writes.
  for (let start = 0; start < writes.length; start += WRITE_CHUNK_FILES) {
    content.write(writes.slice(start, start + WRITE_CHUNK_FILES), before);
    await pause();
  }
  content.remove(removals);
  content.refresh();

  // Each entry is decoded from the store once per update: the written ones are known already.
  const now = new Map<string, LoadedFile | undefined>(removals.map((relativePath) => [relativePath, undefined]));
  for (const file of writes) now.set(file.relativePath, file.loaded);
  const entryNow = (relativePath: string): LoadedFile | undefined => {
    if (!now.has(relativePath)) now.set(relativePath, content.entry(relativePath));
    return now.get(relativePath);
  };
  const summaryNow = (relativePath: string) => entryNow(relativePath)?.summary ?? null;
  const summaryBefore = (relativePath: string) =>
    before.has(relativePath) ? (before.get(relativePath)?.summary ?? null) : summaryNow(relativePath);

  // Slugs: the file whose path sorts first wins (as a load decides); the others get a diagnostic.
  const slugs = new Set<string>();
  for (const relativePath of before.keys()) {
    for (const summary of [summaryBefore(relativePath), summaryNow(relativePath)]) if (summary !== null) slugs.add(summary.slug);
  }
  const removed: Article[] = [];
  const added: IndexedArticle[] = [];
  const touched = new Set(before.keys());
  const collisions = new Map<string, Diagnostic>();
  const oldIndex = previous.preview.index;
  for (const slug of slugs) {
    const contenders = content.pathsWithKey('slug', slug).sort(compareStrings);
    const winner = contenders[0];
    const previousWinner = oldIndex.bySlug.get(slug);
    for (const loser of contenders.slice(1)) {
      collisions.set(loser, {
        file: loser,
        field: null,
        severity: 'error',
        message: `the slug "${slug}" is already taken by ${winner} (the path that sorts first wins); rename one of the files`,
      });
    }
    for (const contender of contenders) touched.add(contender);
    if (previousWinner?.sourcePath === winner && !rewritten.has(winner!)) continue;
    if (previousWinner !== undefined) removed.push(previousWinner);
    if (winner !== undefined) {
      const summary = summaryNow(winner)!;
      added.push({ article: new StoredArticle(summary, content), summary });
    }
  }
  const diagnostics = previous.diagnostics.filter((diagnostic) => !touched.has(diagnostic.file));
  for (const relativePath of touched) {
    diagnostics.push(...(problems.get(relativePath) ?? entryNow(relativePath)?.diagnostics ?? []));
    const collision = collisions.get(relativePath);
    if (collision !== undefined) diagnostics.push(collision);
  }
  diagnostics.sort((a, b) => compareStrings(a.file, b.file));

  // The slug and URL index: each changed key's owners are looked up and the newest kept.
  const bySlug = LayeredMap.of(oldIndex.bySlug).with(
    new Map<string, Article | undefined>([
      ...removed.map((article) => [article.slug, undefined] as const),
      ...added.map(({ article }) => [article.slug, article] as const),
    ]),
  );
  const articleNow = (relativePath: string): StoredArticle | undefined => articleIn({ bySlug }, summaryNow(relativePath)) as StoredArticle;
  const urlKeys = new Set<string>();
  for (const article of removed) for (const key of summaryBefore(article.sourcePath)?.urlKeys ?? []) urlKeys.add(key);
  for (const { summary } of added) for (const key of summary.urlKeys) urlKeys.add(key);
  const newest = new Map<string, Article | undefined>();
  const newestPublished = new Map<string, Article | undefined>();
  const sharers = new Map<string, readonly Article[] | undefined>();
  for (const key of urlKeys) {
    const owners = present(content.pathsWithKey('url', key).map(articleNow)).sort(compareNewestFirst);
    newest.set(key, owners[0]);
    newestPublished.set(key, owners[0]?.published === false ? owners.find((owner) => owner.published) : undefined);
    sharers.set(key, owners.length >= 2 ? Object.freeze(owners) : undefined);
  }
  // Near keys (urls.ts: nearKeyOf): those of the changed articles' URLs, whose owners may have
  // changed, and those their related entries ask for, which may be asked for no more (or now).
  const nearKeys = new Set<string>();
  const askedNearKeys = new Set<string>();
  const collectNearKeys = (summary: ArticleSummary | null) => {
    for (const key of summary?.urlKeys ?? []) nearKeys.add(ownNearKeyOf(key));
    for (const entry of summary?.related ?? []) {
      for (const key of entry.urlKeys) {
        const near = nearKeyOf(key);
        if (near !== null) askedNearKeys.add(near);
      }
    }
  };
  for (const article of removed) collectNearKeys(summaryBefore(article.sourcePath));
  for (const { summary } of added) collectNearKeys(summary);
  const nearOwners = new Map<string, readonly Article[] | undefined>();
  const nearLinking = new Map<string, StoredArticle[]>();
  for (const near of new Set([...nearKeys, ...askedNearKeys])) {
    const sources = present(content.pathsWithKey('near-link', near).map(articleNow));
    nearLinking.set(near, sources);
    if (sources.length === 0) {
      // No related entry asks for it: not indexed.
      if (oldIndex.byNearKey.has(near)) nearOwners.set(near, undefined);
      continue;
    }
    const paths = new Set([...content.pathsWithKey('url', near), ...content.pathsWithKey('near-url', near)]);
    const owners = present([...paths].map(articleNow)).sort(compareNewestFirst);
    nearOwners.set(near, owners.length === 0 ? undefined : Object.freeze(owners));
  }
  const index = new ArticleIndex(
    bySlug,
    LayeredMap.of(oldIndex.byUrlKey).with(newest),
    LayeredMap.of(oldIndex.publishedByUrlKey).with(newestPublished),
    LayeredMap.of(oldIndex.byNearKey).with(nearOwners),
    LayeredMap.of(oldIndex.bySharedUrlKey).with(sharers),
  );

  // Sources whose related entries name a changed key, exactly or by its near key, resolve again.
  const linking = new Set<StoredArticle>();
  for (const key of urlKeys) for (const source of present(content.pathsWithKey('link', key).map(articleNow))) linking.add(source);
  for (const near of nearKeys) for (const source of nearLinking.get(near)!) linking.add(source);
  for (const { article } of added) linking.add(article);
  const context: UpdateContext = { index, removed, added, linking, summaryBefore, summaryNow };
  await pause();
  const preview = updateView('preview', previous.preview, context);
  await pause();
  const publicView = updateView('public', previous.public, context, preview.view);
  const corpus: Corpus = Object.freeze({
    public: publicView.view,
    preview: preview.view,
    diagnostics: Object.freeze(diagnostics),
    version,
  });
  return {
    corpus,
    changes: { public: publicView.changes, preview: preview.changes },
    problems: corpus.diagnostics.filter((diagnostic) => before.has(diagnostic.file) || collisions.has(diagnostic.file)),
  };
}

/** The article of a corpus index that this summary's file holds, or undefined (no summary, or a slug another file won). */
function articleIn(index: Pick<ArticleIndex, 'bySlug'>, summary: ArticleSummary | null): StoredArticle | undefined {
  if (summary === null) return undefined;
  const article = index.bySlug.get(summary.slug);
  return article?.sourcePath === summary.sourcePath ? (article as StoredArticle) : undefined;
}

function present<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}

/** What updating each view needs. */
interface UpdateContext {
  readonly index: ArticleIndex;
  /** Articles that left the corpus (their last version). */
  readonly removed: readonly Article[];
  /** Articles that entered it, new versions included. */
  readonly added: readonly IndexedArticle[];
  /** Articles whose related entries resolve again. */
  readonly linking: ReadonlySet<StoredArticle>;
  readonly summaryBefore: (relativePath: string) => ArticleSummary | null;
  readonly summaryNow: (relativePath: string) => ArticleSummary | null;
}

/** The next version of one view; `wider` is the next preview view, whose target lists the public view shares where they agree. */
function updateView(
  kind: ViewKind,
  view: CorpusView,
  update: UpdateContext,
  wider?: CorpusView,
): { view: CorpusView; changes: ViewChanges } {
  const inView = (article: Article) => kind === 'preview' || article.published;
  const removed = update.removed.filter(inView);
  const added = update.added.filter(({ article }) => inView(article));
  const gone = new Set(removed);
  const entering = added.map(({ article }) => article).sort(compareNewestFirst);
  const articleList = view.articleList.merged(gone, entering, compareNewestFirst);

  // Related entries.
  const targetChanges = new Map<Article, readonly (Article | null)[] | undefined>();
  const sourceEdits = new Map<Article, { drop: Set<Article>; add: Article[] }>();
  const editOf = (target: Article) => {
    let edit = sourceEdits.get(target);
    if (edit === undefined) {
      edit = { drop: new Set(), add: [] };
      sourceEdits.set(target, edit);
    }
    return edit;
  };
  let resolvedDelta = 0;
  const retarget = (source: Article, targets: readonly (Article | null)[] | undefined) => {
    const old = view.targetsOfSource.get(source) ?? [];
    const now = targets ?? [];
    const oldTargets = new Set(present(old.map((target) => target ?? undefined)));
    const newTargets = new Set(present(now.map((target) => target ?? undefined)));
    resolvedDelta += countResolved(now) - countResolved(old);
    for (const target of oldTargets) if (!newTargets.has(target)) editOf(target).drop.add(source);
    for (const target of newTargets) if (!oldTargets.has(target)) editOf(target).add.push(source);
    targetChanges.set(source, targets);
  };
  for (const article of removed) retarget(article, undefined);
  for (const source of update.linking) {
    if (!inView(source)) continue;
    const related = update.summaryNow(source.sourcePath)?.related ?? [];
    let targets: (Article | null)[] | undefined;
    for (const [position, entry] of related.entries()) {
      const target = findTarget(kind, update.index, entry.urlKeys, source);
      if (target === undefined) continue;
      targets ??= new Array<Article | null>(related.length).fill(null);
      targets[position] = target;
    }
    const same = wider?.targetsOfSource.get(source);
    const shared = targets !== undefined && same?.every((target, position) => target === targets[position]) === true;
    retarget(source, shared ? same : targets === undefined ? undefined : Object.freeze(targets));
  }
  const sourcesChanges = new Map<Article, readonly Article[] | undefined>(removed.map((article) => [article, undefined]));
  for (const [target, edit] of sourceEdits) {
    const sources = mergeSorted(view.sourcesOfTarget.get(target) ?? [], edit.drop, edit.add.sort(compareNewestFirst), compareNewestFirst);
    sourcesChanges.set(target, sources.length === 0 || gone.has(target) ? undefined : Object.freeze(sources));
  }

  // Providers and topics: their tallies and article lists are adjusted, and each one touched is made again.
  const providerTallies = new Map<string, TallyBuilder>();
  const providerArticles = new Map<string, { drop: Set<Article>; add: Article[] }>();
  const tallyOf = (domain: string) => {
    let tally = providerTallies.get(domain);
    if (tally === undefined) {
      tally = new TallyBuilder(view.tallies.providers.get(domain));
      providerTallies.set(domain, tally);
      providerArticles.set(domain, { drop: new Set(), add: [] });
    }
    return tally;
  };
  const topicNames = new Map<string, Map<string, number>>();
  const topicArticles = new Map<string, { drop: Set<Article>; add: Article[] }>();
  const namesOf = (slug: string) => {
    let names = topicNames.get(slug);
    if (names === undefined) {
      names = new Map(view.tallies.topicNames.get(slug) ?? []);
      topicNames.set(slug, names);
      topicArticles.set(slug, { drop: new Set(), add: [] });
    }
    return names;
  };
  let relatedEntries = view.stats.relatedEntries;
  let drafts = view.stats.drafts;
  const count = (article: Article, summary: ArticleSummary | null, delta: 1 | -1) => {
    if (!article.published) drafts += delta;
    relatedEntries += delta * (summary?.related.length ?? 0);
    if (article.provider !== null) {
      tallyOf(article.provider.domain).count(article.provider, delta);
      const edit = providerArticles.get(article.provider.domain)!;
      if (delta === 1) edit.add.push(article);
      else edit.drop.add(article);
    }
    for (const entry of summary?.related ?? []) if (entry.provider !== null) tallyOf(entry.provider.domain).count(entry.provider, delta);
    for (const topic of article.topics) {
      adjust(namesOf(topic.slug), topic.name, delta);
      const edit = topicArticles.get(topic.slug)!;
      if (delta === 1) edit.add.push(article);
      else edit.drop.add(article);
    }
  };
  for (const article of removed) count(article, update.summaryBefore(article.sourcePath), -1);
  for (const { article, summary } of added) count(article, summary, 1);

  const providerChanges = new Map<string, Provider | undefined>();
  const tallyChanges = new Map<string, ProviderTally | undefined>();
  for (const [domain, builder] of providerTallies) {
    const edit = providerArticles.get(domain)!;
    const list = (view.providersByDomain.get(domain)?.articles ?? NO_ARTICLES).merged(
      edit.drop,
      edit.add.sort(compareNewestFirst),
      compareNewestFirst,
    );
    const tally = builder.mentions > 0 ? builder.freeze() : undefined;
    tallyChanges.set(domain, tally);
    providerChanges.set(domain, tally === undefined ? undefined : providerOf(domain, tally, list));
  }
  const topicChanges = new Map<string, Topic | undefined>();
  const namesChanges = new Map<string, ReadonlyMap<string, number> | undefined>();
  for (const [slug, names] of topicNames) {
    const edit = topicArticles.get(slug)!;
    const list = (view.topicsBySlug.get(slug)?.articles ?? NO_ARTICLES).merged(
      edit.drop,
      edit.add.sort(compareNewestFirst),
      compareNewestFirst,
    );
    namesChanges.set(slug, list.length === 0 ? undefined : names);
    topicChanges.set(slug, list.length === 0 ? undefined : topicOf(slug, names, list));
  }
  const providers = replaceSorted(view.providers, providerChanges, (domain) => view.providersByDomain.get(domain), compareProviders);
  const topics = replaceSorted(view.topics, topicChanges, (slug) => view.topicsBySlug.get(slug), compareTopics);

  // Maxima only grow until the next load: the lists that changed are all that can raise them.
  const maxima = measureLists(added, present([...providerChanges.values()]), view.maxima);
  const next = new CorpusView(
    kind,
    {
      articleList,
      providers,
      topics,
      stats: Object.freeze({
        articles: articleList.length,
        drafts,
        providers: providers.length,
        topics: topics.length,
        relatedEntries,
        relatedResolved: view.stats.relatedResolved + resolvedDelta,
      }),
      maxima,
      targetsOfSource: LayeredMap.of(view.targetsOfSource).with(targetChanges),
      tallies: {
        providers: LayeredMap.of(view.tallies.providers).with(tallyChanges),
        topicNames: LayeredMap.of(view.tallies.topicNames).with(namesChanges),
      },
    },
    update.index,
    {
      providersByDomain: LayeredMap.of(view.providersByDomain).with(providerChanges),
      topicsBySlug: LayeredMap.of(view.topicsBySlug).with(topicChanges),
      sourcesOfTarget: LayeredMap.of(view.sourcesOfTarget).with(sourcesChanges),
    },
  );
  const replaced = new Map(removed.map((article) => [article.sourcePath, article]));
  const addedPaths = new Set(entering.map((article) => article.sourcePath));
  return {
    view: next,
    changes: {
      added: entering.filter((article) => !replaced.has(article.sourcePath)),
      updated: entering
        .filter((article) => replaced.has(article.sourcePath))
        .map((article) => ({ before: replaced.get(article.sourcePath)!, after: article })),
      removed: removed.filter((article) => !addedPaths.has(article.sourcePath)),
    },
  };
}

function countResolved(targets: readonly (Article | null)[]): number {
  let resolved = 0;
  for (const target of targets) if (target !== null) resolved++;
  return resolved;
}

/** A sorted list with the changed items (by key; `current` finds an item of the list by key) taken out and their new versions put in their places. */
function replaceSorted<T>(
  sorted: readonly T[],
  changes: ReadonlyMap<string, T | undefined>,
  current: (key: string) => T | undefined,
  compare: (a: T, b: T) => number,
): T[] {
  const drop = new Set(present([...changes.keys()].map(current)));
  const adding = present([...changes.values()]).sort(compare);
  return Object.freeze(mergeSorted(sorted, drop, adding, compare)) as T[];
}
