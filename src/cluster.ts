/**
 * WORKERS=n (n > 1): n server processes on one port, through node:cluster. The primary process
 * serves no request: it forks the workers, relays their messages, replaces a worker that dies, and
 * on SIGTERM / SIGINT stops them all, each with its graceful stop (listener.ts).
 *
 * With the content store (CACHE_DIR), worker 1 loads the content as a single server does (parsing
 * only what changed since the store was written), watches the directory and writes each update to
 * the store. Every other worker maps the same store (its pages are shared through the page cache),
 * restores worker 1's current version from a snapshot worker 1 keeps there (load.ts:
 * shareSnapshot, restoreSharedCorpus), then applies worker 1's updates, relayed by the primary, so
 * that every worker serves the same versions under the same ids. An update takes two steps: before
 * worker 1 writes the changed files to the store, each other worker keeps what it serves of them
 * (LiveCorpus.prepareToFollow) and says so; once worker 1 has published the update, each applies
 * the same changes to the same version (LiveCorpus.follow). When worker 1 dies, a new worker 1
 * loads the content, and the other workers are replaced by ones that follow it once it serves.
 *
 * With CACHE_DIR=off there is no store to share: every worker loads, watches and updates on its own.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType, type Registry } from 'prom-client';
import type { Config } from './config.js';
import type { ContentEntries } from './content/entries.js';
import { deepFreeze } from './content/freeze.js';
import type { LiveCorpus, UpdateFollowers } from './content/live.js';
import { type LoadResult, restoreSharedCorpus, shareSnapshot } from './content/load.js';
import { SEARCH_INDEX_FILE } from './content/search.js';
import { ContentStore } from './content/store.js';
import type { FileChange } from './content/update.js';
import { graphqlUrl } from './http/listener.js';
import type { MetricsAcrossWorkers } from './http/metrics.js';
import type { Logger } from './log.js';

/** The environment variables the primary gives a worker it forks: its number, and whether it listens before it has loaded. */
const WORKER_NUMBER = 'NEWSGRAPH_WORKER';
const LISTENS_EARLY = 'NEWSGRAPH_WORKER_LISTENS_EARLY';
/** A worker that dies before it serves this many times in a row stops the cluster (exit 1). */
const MAX_DEATHS_BEFORE_SERVING = 3;
/** How long the primary waits after a worker died before serving, times the deaths in a row, before starting it again. */
const RETRY_PAUSE_MS = 1_000;
/** How long the primary waits for the workers' graceful stops (each takes at most 10 s) before killing them. */
const STOP_GRACE_MS = 12_000;
/**
 * How long worker 1's next update waits for the other workers to take its files (a few milliseconds
 * when they are well) before it says so, again each time this passes; a serving worker that has not
 * taken them by then is stopped (SIGKILL) and replaced, so one hung worker cannot hold every update
 * back. A worker still starting is waited for.
 */
const PREPARE_TIMEOUT_MS = 10_000;

/** The messages between the processes: worker to primary, and (relayed by the primary) between worker 1 and the others. */
type Message =
  /** A worker serves, on this port. */
  | { readonly type: 'ready'; readonly port: number }
  /** A worker needs a larger heap (main.ts: the memory check): every worker is started with this limit from now on. */
  | { readonly type: 'heap-limit'; readonly megabytes: number }
  /** A following worker received SIGHUP: worker 1 reads the directory again. */
  | { readonly type: 'rescan' }
  /** A worker asks worker 1 for its version (the primary adds who asks). */
  | { readonly type: 'join'; readonly worker?: number; readonly number?: number }
  /** Worker 1's answer: where the snapshot of its version is, or why it could not share it. */
  | {
      readonly type: 'shared';
      readonly to: readonly number[];
      readonly shared:
        | { readonly storeDirectory: string; readonly fingerprint: string; readonly version: string }
        | { readonly problem: string };
    }
  /** Worker 1 is about to write an update of these files. */
  | { readonly type: 'prepare'; readonly to: readonly number[]; readonly round: number; readonly paths: readonly string[] }
  /** A worker has kept what it serves of those files (the primary adds who). */
  | { readonly type: 'prepared'; readonly round: number; readonly worker?: number }
  /** Worker 1 has published an update. */
  | {
      readonly type: 'update';
      readonly to: readonly number[];
      readonly version: string;
      readonly previous: string;
      readonly changes: readonly FileChange[];
    }
  /** A worker that had joined worker 1 is gone. */
  | { readonly type: 'left'; readonly worker: number }
  /** Worker 1 has waited too long for these workers to take an update's files: the primary replaces those that serve. */
  | { readonly type: 'unresponsive'; readonly workers: readonly number[] }
  /** A worker asks for every worker's metrics (its `/metrics` was requested). */
  | { readonly type: 'metrics'; readonly request: number }
  /** The primary's answer: the metrics, aggregated (prom-client's AggregatorRegistry), or why it has none. */
  | { readonly type: 'metrics-answer'; readonly request: number; readonly text: string | null; readonly problem: string | null };

/** This process as one worker of a cluster: what main.ts's start needs to know and to tell. */
export interface ClusterWorker {
  /** 1 to WORKERS: the worker's place in the cluster, kept by the worker started in its place. */
  readonly number: number;
  /** The prefix of the worker's log lines (`worker 2: `). */
  readonly prefix: string;
  /** The log, every line prefixed. */
  readonly log: Logger;
  /** True when it restores worker 1's version and follows its updates, instead of loading and watching the content. */
  readonly follows: boolean;
  /** True when it listens before it has loaded (answering 503 meanwhile): when no other worker serves yet. */
  readonly listensEarly: boolean;
  /** Worker 1's LiveOptions.followers (the other workers); undefined in the others. */
  readonly followers: UpdateFollowers | undefined;
  /** The name of its search index file in the store directory: each worker keeps its own. */
  readonly searchIndexFile: string;
  /** What `/metrics` serves: every worker's figures, aggregated by the primary. */
  readonly metrics: MetricsAcrossWorkers;
  /** A following worker: waits for worker 1 to share its version, and restores it from the content store; exits 1 when it cannot. */
  restoreSharedVersion(): Promise<LoadResult>;
  /** Asks the primary to start this worker again with a larger heap limit, and exits. */
  restartWithHeapLimit(megabytes: number): void;
  /**
   * Called once it serves: tells the primary, then (worker 1) answers the others' requests for its
   * version or (the others) applies worker 1's updates, reporting how long each took to `onFollowed`.
   */
  serving(port: number, live: LiveCorpus, content: ContentEntries, onFollowed?: (elapsedMs: number) => void): void;
}

/**
 * Runs the cluster of `config.workers` processes: in the primary, forks and tends the workers; in a
 * worker, runs `start` (main.ts) with what this worker is. Resolves in the primary once it has
 * forked the first worker (it lives on its event loop and exits through process.exit).
 */
export async function runCluster(config: Config, log: Logger, start: (worker: ClusterWorker) => Promise<void>): Promise<void> {
  if (cluster.isPrimary) return runPrimary(config, log);
  return start(createWorker(config, log));
}

/** The exit code of a stopped cluster whose start failed: the failing worker's 1 or 2 (a configuration error), else 1. */
function startFailureCode(code: number | null): number {
  return code === 2 ? 2 : 1;
}

/** One place in the cluster: its current process, and what the primary knows of it. */
interface Slot {
  readonly number: number;
  worker: Worker | null;
  serving: boolean;
  /** Deaths before serving in a row. */
  deaths: number;
  /** The process the current one replaces, stopped once the current one serves. */
  retiring: Worker | null;
  /** The worker 1 its process follows (the count of worker 1's starts when it was forked). */
  follows: number;
}

/** The primary: see the module comment. */
function runPrimary(config: Config, log: Logger): void {
  cluster.setupPrimary({ serialization: 'advanced' });
  // With the content store the other workers follow worker 1; without it each loads on its own.
  const sharesStore = config.cacheDir !== null;
  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({
    number: index + 1,
    worker: null,
    serving: false,
    deaths: 0,
    retiring: null,
    follows: 0,
  }));
  const leader = slots[0]!;
  /** Every worker process not yet exited (retiring ones included), by cluster worker id. */
  const alive = new Map<number, { readonly slot: Slot; readonly worker: Worker }>();
  const restartingWithHeap = new Set<number>();
  let leaderStarts = 0;
  let announced = false;
  // Created on the first request for metrics: it collects them from every worker (prom-client).
  let aggregator: AggregatorRegistry<PrometheusContentType> | null = null;
  let everServed = false;
  let stopping = false;
  let exitCode = 0;

  const fork = (slot: Slot) => {
    const listensEarly = !slots.some((other) => other.serving);
    const worker = cluster.fork({ [WORKER_NUMBER]: String(slot.number), [LISTENS_EARLY]: listensEarly ? '1' : '' });
    if (slot === leader) leaderStarts++;
    slot.worker = worker;
    slot.serving = false;
    slot.follows = leaderStarts;
    alive.set(worker.id, { slot, worker });
    worker.on('message', (message: Message) => onMessage(slot, worker, message));
    // A message sent as the worker dies fails (EPIPE) with an 'error' event, which would stop the
    // primary if nothing listened; the worker's 'exit' says what happened to it.
    worker.on('error', (error: Error) => log.warn(`worker ${slot.number} (pid ${worker.process.pid}): ${error.message}`));
  };

  /** Starts the process of a slot that has none, when it can start now: another than worker 1 follows a worker 1 that serves. */
  const fill = (slot: Slot) => {
    if (stopping || slot.worker !== null) return;
    if (slot === leader || !sharesStore || leader.serving) fork(slot);
  };

  const sendTo = (ids: readonly number[], message: Message) => {
    for (const id of ids) {
      const worker = alive.get(id)?.worker;
      if (worker?.isConnected()) worker.send(message);
    }
  };

  const onMessage = (slot: Slot, worker: Worker, message: Message) => {
    const fromLeader = worker === leader.worker;
    switch (message.type) {
      case 'ready':
        return onReady(slot, worker, message.port);
      case 'heap-limit':
        restartingWithHeap.add(worker.id);
        cluster.setupPrimary({ execArgv: [...process.execArgv, `--max-old-space-size=${message.megabytes}`] });
        return log.info(`every worker starts with --max-old-space-size=${message.megabytes} from now on (worker ${slot.number} needs it)`);
      case 'rescan':
        return leader.worker?.process.kill('SIGHUP');
      case 'join':
        // A worker forked to follow an earlier worker 1 waits to be replaced.
        if (slot.follows === leaderStarts && leader.worker !== null)
          sendTo([leader.worker.id], { ...message, worker: worker.id, number: slot.number });
        return;
      case 'prepared':
        if (leader.worker !== null) sendTo([leader.worker.id], { ...message, worker: worker.id });
        return;
      case 'metrics': {
        aggregator ??= new AggregatorRegistry();
        const answer = (text: string | null, problem: string | null) => {
          if (worker.isConnected()) worker.send({ type: 'metrics-answer', request: message.request, text, problem } satisfies Message);
        };
        aggregator.clusterMetrics().then(
          (text) => answer(text, null),
          (error: Error) => answer(null, error.message),
        );
        return;
      }
      case 'unresponsive':
        if (!fromLeader) return;
        for (const id of message.workers) {
          const unresponsive = alive.get(id);
          // A worker still starting (restoring a large version) answers once it has; only a serving one is stuck.
          if (unresponsive === undefined || !unresponsive.slot.serving || unresponsive.worker !== unresponsive.slot.worker) continue;
          log.warn(
            `worker ${unresponsive.slot.number} (pid ${unresponsive.worker.process.pid}) did not answer worker 1 in ${PREPARE_TIMEOUT_MS / 1000} s; stopping it`,
          );
          unresponsive.worker.process.kill('SIGKILL');
        }
        return;
      case 'shared':
      case 'prepare':
      case 'update':
        if (fromLeader) sendTo(message.to, message);
        return;
    }
  };

  const onReady = (slot: Slot, worker: Worker, port: number) => {
    if (worker !== slot.worker || stopping) return;
    slot.serving = true;
    slot.deaths = 0;
    everServed = true;
    if (slot.retiring !== null) {
      slot.retiring.process.kill('SIGTERM');
      slot.retiring = null;
    }
    if (slot === leader) {
      for (const other of slots.slice(1)) {
        // Workers that follow an earlier worker 1 cannot follow this one: each is replaced, and stops once its successor serves.
        if (sharesStore && other.worker !== null && other.follows !== leaderStarts) {
          log.info(`replacing worker ${other.number} (pid ${other.worker.process.pid}): it follows the worker 1 that died`);
          other.retiring?.process.kill('SIGTERM');
          other.retiring = other.serving ? other.worker : null;
          if (!other.serving) other.worker.process.kill('SIGTERM');
          other.worker = null;
          other.serving = false;
        }
        fill(other);
      }
    }
    if (!announced && slots.every((each) => each.serving)) {
      announced = true;
      log.info(`serving GraphQL and GraphiQL at ${graphqlUrl(config.host, port)} with ${slots.length} workers`);
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = alive.get(worker.id)?.slot;
    alive.delete(worker.id);
    if (leader.worker !== null && worker !== leader.worker) sendTo([leader.worker.id], { type: 'left', worker: worker.id });
    if (stopping) {
      if (alive.size === 0) process.exit(exitCode);
      return;
    }
    if (slot === undefined) return;
    if (worker === slot.retiring) {
      slot.retiring = null;
      return;
    }
    if (worker !== slot.worker) return;
    const wasServing = slot.serving;
    slot.worker = null;
    slot.serving = false;
    const name = `worker ${slot.number} (pid ${worker.process.pid})`;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (restartingWithHeap.delete(worker.id)) return fill(slot);
    if (wasServing) {
      log.warn(`${name} ${how}; starting another`);
      return fill(slot);
    }
    if (!everServed) {
      log.error(`${name} ${how} before serving; stopping`);
      return stop(startFailureCode(code));
    }
    slot.deaths++;
    if (slot.deaths >= MAX_DEATHS_BEFORE_SERVING) {
      log.error(`${name} ${how} before serving, ${slot.deaths} times in a row; stopping`);
      return stop(1);
    }
    log.warn(`${name} ${how} before serving; starting another in ${slot.deaths} s`);
    setTimeout(() => fill(slot), RETRY_PAUSE_MS * slot.deaths);
  });

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    if (alive.size === 0) process.exit(code);
    for (const { worker } of alive.values()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const { worker } of alive.values()) worker.process.kill('SIGKILL');
      process.exit(code);
    }, STOP_GRACE_MS).unref();
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      log.info(`${signal} received: stopping ${slots.length} workers, each refusing new connections and finishing its in-flight requests`);
      stop(0);
    });
  }
  process.on('SIGHUP', () => {
    if (sharesStore) {
      log.info(`SIGHUP received: worker 1 reads ${config.contentDir} again, and every worker serves what it finds`);
      leader.worker?.process.kill('SIGHUP');
    } else {
      log.info(`SIGHUP received: every worker reads ${config.contentDir} again`);
      for (const slot of slots) slot.worker?.process.kill('SIGHUP');
    }
  });

  log.info(
    `starting ${slots.length} workers (pid ${process.pid} is the primary)` +
      (sharesStore
        ? ': worker 1 loads and watches the content, the others serve its versions from the content store'
        : ': CACHE_DIR=off, so each worker loads and watches the content on its own'),
  );
  fill(leader);
}

/** Prefixes every line of a log. */
function prefixed(log: Logger, prefix: string): Logger {
  return {
    debug: (message) => log.debug(prefix + message),
    info: (message) => log.info(prefix + message),
    warn: (message) => log.warn(prefix + message),
    error: (message) => log.error(prefix + message),
  };
}

/** Sends a message to the primary. */
function send(message: Message, then?: () => void): void {
  process.send!(message, undefined, undefined, then);
}

/** What a worker serves, once it does. */
interface Served {
  readonly live: LiveCorpus;
  readonly content: ContentEntries;
  readonly onFollowed?: (elapsedMs: number) => void;
}

/** This worker, as the primary forked it. */
function createWorker(config: Config, baseLog: Logger): ClusterWorker {
  const number = Number(process.env[WORKER_NUMBER]);
  const prefix = `worker ${number}: `;
  const log = prefixed(baseLog, prefix);
  const follows = number > 1 && config.cacheDir !== null;
  const leads = number === 1 && config.cacheDir !== null;
  const followers = leads ? new Followers(log) : undefined;
  let onShared: ((message: Extract<Message, { type: 'shared' }>) => void) | null = null;
  let served: (value: Served) => void = () => {};
  const whenServing = new Promise<Served>((resolve) => {
    served = resolve;
  });
  // Worker 1's updates, taken one after the other once this worker serves.
  let following: Promise<void> = Promise.resolve();
  const follow = (step: (serving: Served) => void | Promise<void>) => {
    following = following
      .then(() => whenServing)
      .then(step)
      .catch((error: Error) => {
        log.error(`${error.message}; exiting, to be replaced by a worker that restores the current version`);
        process.exit(1);
      });
  };

  /** Worker 1: shares its current version with a worker that joins, between two updates (the version whose updates come next). */
  const share = ({ live, content }: Served, worker: number, joining: number) =>
    live.exclusive(async () => {
      try {
        if (!(content instanceof ContentStore)) throw new Error('this worker keeps no content store');
        const fingerprint = await shareSnapshot(content, live.current);
        followers?.join(worker, joining);
        send({ type: 'shared', to: [worker], shared: { storeDirectory: content.directory, fingerprint, version: live.current.version } });
      } catch (error) {
        log.error(`cannot share version ${live.current.version} with worker ${joining}: ${(error as Error).message}`);
        send({ type: 'shared', to: [worker], shared: { problem: `worker 1 could not share its version (${(error as Error).message})` } });
      }
    });

  // Requests for every worker's metrics, by number, until the primary answers them.
  const metricsRequests = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let metricsRequested = 0;

  process.on('message', (message: Message) => {
    switch (message.type) {
      case 'metrics-answer': {
        const request = metricsRequests.get(message.request);
        metricsRequests.delete(message.request);
        if (message.text !== null) request?.resolve(message.text);
        else request?.reject(new Error(message.problem ?? 'no answer'));
        return;
      }
      case 'shared':
        return onShared?.(message);
      case 'join':
        void whenServing.then((serving) => share(serving, message.worker!, message.number!));
        return;
      case 'prepared':
        return followers?.prepared(message.worker!, message.round);
      case 'left':
        return followers?.leave(message.worker);
      case 'prepare':
        return follow(({ live }) => {
          live.prepareToFollow(message.paths);
          send({ type: 'prepared', round: message.round });
        });
      case 'update': {
        const received = performance.now();
        return follow(async ({ live, onFollowed }) => {
          const update = await live.follow(message.version, message.previous, deepFreeze(message.changes));
          if (update === null) return;
          const elapsedMs = performance.now() - received;
          const { added, updated, removed } = update.changes.preview;
          log.debug(
            `content version ${message.version} followed in ${Math.round(elapsedMs)} ms: ${added.length} added, ${updated.length} updated, ${removed.length} removed`,
          );
          onFollowed?.(elapsedMs);
        });
      }
    }
  });
  if (follows) {
    process.on('SIGHUP', () => {
      log.info(`SIGHUP received: worker 1 reads ${config.contentDir} again`);
      send({ type: 'rescan' });
    });
  }

  return {
    number,
    prefix,
    log,
    follows,
    listensEarly: process.env[LISTENS_EARLY] === '1',
    followers,
    searchIndexFile: number === 1 ? SEARCH_INDEX_FILE : `search-worker-${number}.sqlite`,
    metrics: {
      share(registry: Registry) {
        // Constructing one makes this worker answer the primary's requests; it answers for `registry`.
        AggregatorRegistry.setRegistries([registry]);
        new AggregatorRegistry();
      },
      collect() {
        const request = ++metricsRequested;
        return new Promise<string>((resolve, reject) => {
          metricsRequests.set(request, { resolve, reject });
          send({ type: 'metrics', request });
        });
      },
    },
    async restoreSharedVersion() {
      const message = await new Promise<Extract<Message, { type: 'shared' }>>((resolve) => {
        onShared = resolve;
        send({ type: 'join' });
      });
      try {
        if ('problem' in message.shared) throw new Error(message.shared.problem);
        const { storeDirectory, fingerprint, version } = message.shared;
        return restoreSharedCorpus(
          config.contentDir,
          storeDirectory,
          { fingerprint, version },
          {
            siteUrl: config.siteUrl,
            onStoreProblem: (problem) => log.warn(problem),
          },
        );
      } catch (error) {
        log.error(`cannot restore worker 1's version: ${(error as Error).message}`);
        process.exit(1);
      }
    },
    restartWithHeapLimit(megabytes) {
      log.info(`the content needs more heap than the default limit: starting again with --max-old-space-size=${megabytes}`);
      send({ type: 'heap-limit', megabytes }, () => process.exit(0));
    },
    serving(port, live, content, onFollowed) {
      const role = follows
        ? "serves worker 1's versions from the content store, and applies its updates"
        : leads
          ? 'loads and watches the content; the other workers serve its versions'
          : 'loads and watches the content on its own (CACHE_DIR=off)';
      log.info(`serving version ${live.current.version} as pid ${process.pid}: this worker ${role}`);
      served({ live, content, onFollowed });
      send({ type: 'ready', port });
    },
  };
}

/** Worker 1's followers: the workers that restored its version, each told of every update (LiveOptions.followers). */
class Followers implements UpdateFollowers {
  /** Each follower's worker number, by cluster worker id. */
  readonly #joined = new Map<number, number>();
  #round = 0;
  #waiting: { readonly round: number; readonly pending: Set<number>; readonly done: () => void } | null = null;

  constructor(private readonly log: Logger) {}

  /** A worker has restored the current version: from now on it is told of every update. */
  join(worker: number, number: number): void {
    this.#joined.set(worker, number);
  }

  /** A worker is gone: no update waits for it any more. */
  leave(worker: number): void {
    this.#joined.delete(worker);
    this.prepared(worker, this.#waiting?.round ?? -1);
  }

  /** A worker has kept what it serves of the files of this round's update. */
  prepared(worker: number, round: number): void {
    const waiting = this.#waiting;
    if (waiting === null || waiting.round !== round) return;
    waiting.pending.delete(worker);
    if (waiting.pending.size === 0) waiting.done();
  }

  prepare(relativePaths: readonly string[]): Promise<void> {
    if (this.#joined.size === 0) return Promise.resolve();
    const round = ++this.#round;
    const pending = new Set(this.#joined.keys());
    send({ type: 'prepare', to: [...pending], round, paths: [...relativePaths] });
    return new Promise((resolve) => {
      // A worker that does not answer is replaced; the primary then says it left, which ends the wait.
      const started = performance.now();
      const timer = setInterval(() => {
        const names = [...pending].map((worker) => `worker ${this.#joined.get(worker)}`).join(', ');
        this.log.warn(`the next update has waited ${Math.round((performance.now() - started) / 1000)} s for ${names} to take its files`);
        send({ type: 'unresponsive', workers: [...pending] });
      }, PREPARE_TIMEOUT_MS);
      this.#waiting = {
        round,
        pending,
        done: () => {
          clearInterval(timer);
          this.#waiting = null;
          resolve();
        },
      };
    });
  }

  publish(version: string, previous: string, changes: readonly FileChange[]): void {
    if (this.#joined.size === 0) return;
    // The records are in the store already: the followers read them there.
    const sent = changes.map((change) =>
      change.kind === 'parsed'
        ? { kind: change.kind, file: { relativePath: change.file.relativePath, loaded: change.file.loaded, article: null } }
        : change,
    );
    send({ type: 'update', to: [...this.#joined.keys()], version, previous, changes: sent });
  }
}
