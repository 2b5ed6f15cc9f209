/**
 * `Subscription.articleChanges`: what each new corpus version changed among the articles a
 * subscriber follows (its filter, its view), pushed over Server-Sent Events.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Corpus } from '../content/corpus.js';
import type { Article as ArticleRecord, ViewKind } from '../content/model.js';
import { articlePredicate } from '../content/query.js';
import type { CorpusUpdate } from '../content/update.js';
import { type CorpusSource, moveToVersion } from '../context.js';
import { subscriberBehind } from '../errors.js';
import { Article, ArticleFilter } from './article.js';
import { builder } from './builder.js';
import { MAX_CHANGES_PER_EVENT } from './connection.js';

/** How many updates a subscriber may fall behind before its stream ends with an error. */
const MAX_UPDATES_BEHIND = 100;

/** One event of `articleChanges`. */
interface ArticleChangesEvent {
  readonly corpus: Corpus;
  readonly added: readonly ArticleRecord[];
  readonly updated: readonly ArticleRecord[];
  readonly removed: readonly ArticleRecord[];
}

/** The last event of a subscriber that fell MAX_UPDATES_BEHIND updates behind: it resolves to the SUBSCRIBER_TOO_SLOW error. */
const FELL_BEHIND = Symbol('fell behind');

/** An article that left a subscriber's view or filter: enough to drop it from a client cache. */
const RemovedArticle = builder.objectRef<ArticleRecord>('RemovedArticle').implement({
  description: 'An article that was deleted, became a draft (public view), or no longer matches the subscription filter.',
  fields: (t) => ({
    id: t.id({
      description: 'The global id the article had, as `Article.id`.',
      resolve: (article) => encodeGlobalID('Article', article.slug),
    }),
    slug: t.exposeString('slug', { description: 'The slug the article had.' }),
    sourcePath: t.exposeString('sourcePath', { description: 'The file it came from, relative to the content directory.' }),
  }),
});

const ArticleChanges = builder.objectRef<ArticleChangesEvent>('ArticleChanges').implement({
  description:
    `What one corpus version changed among the articles a subscription follows. At most ${MAX_CHANGES_PER_EVENT} articles ` +
    'in each list: a larger change comes as several events with the same version.',
  fields: (t) => ({
    version: t.string({
      description: 'The corpus version these changes belong to (`contentHealth.version`): the article fields are read from it.',
      resolve: (event) => event.corpus.version,
    }),
    added: t.field({
      type: [Article],
      description: 'Articles that entered the followed set: new files, drafts published, edits that now match the filter.',
      resolve: (event) => event.added,
    }),
    updated: t.field({
      type: [Article],
      description: 'Articles of the followed set whose file changed, in their new version.',
      resolve: (event) => event.updated,
    }),
    removed: t.field({
      type: [RemovedArticle],
      description: 'Articles that left the followed set: deleted, turned into drafts, renamed away, or no longer matching the filter.',
      resolve: (event) => event.removed,
    }),
  }),
});

/** The events one update makes for a subscriber of `kind` following `matches`, in chunks of MAX_CHANGES_PER_EVENT. */
function eventsOf(update: CorpusUpdate, kind: ViewKind, matches: (article: ArticleRecord) => boolean): ArticleChangesEvent[] {
  const changes = update.changes[kind];
  const added = changes.added.filter(matches);
  const updated: ArticleRecord[] = [];
  const removed = changes.removed.filter(matches);
  for (const { before, after } of changes.updated) {
    const matchedBefore = matches(before);
    const matchesNow = matches(after);
    if (matchedBefore && matchesNow) updated.push(after);
    else if (matchesNow) added.push(after);
    else if (matchedBefore) removed.push(before);
  }
  const events: ArticleChangesEvent[] = [];
  const longest = Math.max(added.length, updated.length, removed.length);
  for (let start = 0; start < longest; start += MAX_CHANGES_PER_EVENT) {
    const end = start + MAX_CHANGES_PER_EVENT;
    events.push({
      corpus: update.corpus,
      added: added.slice(start, end),
      updated: updated.slice(start, end),
      removed: removed.slice(start, end),
    });
  }
  return events;
}

/** What a subscription's stream yields: an event, or FELL_BEHIND as its last item. */
type StreamItem = ArticleChangesEvent | typeof FELL_BEHIND;

/**
 * The events of every update of `source` from the moment it is created (not from the first read:
 * nothing published in between is missed), for a subscriber of `kind` following `matches`. It ends
 * when the source closes (the server stops; a corpus that never changes sends nothing until then),
 * when the client hangs up (`return`, which also ends a pending read at once), and after FELL_BEHIND
 * when events of MAX_UPDATES_BEHIND updates wait unread.
 */
class ChangeStream implements AsyncIterableIterator<StreamItem> {
  /** Unread items, each with whether it is the last event of its update. */
  readonly #queue: { item: StreamItem; lastOfUpdate: boolean }[] = [];
  #updatesQueued = 0;
  #reader: ((result: IteratorResult<StreamItem>) => void) | null = null;
  #ended = false;
  readonly #unsubscribe: () => void;

  constructor(
    source: CorpusSource,
    private readonly kind: ViewKind,
    private readonly matches: (article: ArticleRecord) => boolean,
  ) {
    this.#unsubscribe =
      'subscribe' in source
        ? source.subscribe(
            (update) => this.#hear(update),
            () => this.#end(),
          )
        : () => {};
  }

  #hear(update: CorpusUpdate): void {
    if (this.#ended) return;
    const events = eventsOf(update, this.kind, this.matches);
    if (events.length === 0) return;
    if (this.#updatesQueued >= MAX_UPDATES_BEHIND) {
      // The last item carries the error: an error thrown into the stream would only cut the connection.
      this.#deliver(FELL_BEHIND, false);
      this.#end();
      return;
    }
    this.#updatesQueued++;
    for (const [index, event] of events.entries()) this.#deliver(event, index === events.length - 1);
  }

  #deliver(item: StreamItem, lastOfUpdate: boolean): void {
    const reader = this.#reader;
    if (reader === null) {
      this.#queue.push({ item, lastOfUpdate });
      return;
    }
    this.#reader = null;
    if (lastOfUpdate) this.#updatesQueued--;
    reader({ value: item, done: false });
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#unsubscribe();
    if (this.#queue.length === 0) this.#finishRead();
  }

  #finishRead(): void {
    const reader = this.#reader;
    this.#reader = null;
    reader?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<StreamItem>> {
    const queued = this.#queue.shift();
    if (queued !== undefined) {
      if (queued.lastOfUpdate) this.#updatesQueued--;
      return Promise.resolve({ value: queued.item, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#reader = resolve;
    });
  }

  return(): Promise<IteratorResult<StreamItem>> {
    this.#queue.length = 0;
    this.#end();
    this.#finishRead();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

builder.subscriptionType({ description: 'Changes pushed as they happen, over Server-Sent Events (GraphQL over SSE).' });

builder.subscriptionField('articleChanges', (t) =>
  t.field({
    type: ArticleChanges,
    description:
      'An event each time the content changes in a way that concerns the articles that match `filter` in your view: ' +
      'articles added, updated and removed. A public subscriber never hears of a draft. Request it with ' +
      '`Accept: text/event-stream`; the stream sends a keep-alive comment every 12 s and ends when the server stops.',
    args: {
      filter: t.arg({ type: ArticleFilter, required: false, description: 'Follow only the articles that match all of these conditions.' }),
    },
    subscribe: (_root, args, context) => new ChangeStream(context.source, context.view.kind, articlePredicate(args.filter) ?? (() => true)),
    resolve: (event, _args, context) => {
      if (event === FELL_BEHIND) throw subscriberBehind(MAX_UPDATES_BEHIND);
      // Each event is resolved against its own version, whatever the subscription started with.
      moveToVersion(context, event.corpus);
      return event;
    },
  }),
);
