/**
 * Worker thread entry: parses the files it is given, writes each batch to the content store when
 * the settings name one (storeBatch), and posts the batch's file entries back, so the calling
 * thread takes them in while the rest are parsed, and no single message holds them all. Each
 * message is `{ batch, last }`. After the last, it writes the keys its batches deferred
 * (storeBatch) while the calling thread builds the corpus, and posts `{ keysStored: true }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ParseSettings, parseInBatches, storeBatch, storeDeferredKeys } from './parse-files.js';
import type { ContentFile } from './scan.js';

const { files, settings, batchSize } = workerData as { files: ContentFile[]; settings: ParseSettings; batchSize: number };

async function run(): Promise<void> {
  let done = 0;
  let previous: unknown = null;
  for await (const batch of parseInBatches(files, settings, batchSize)) {
    const entries = storeBatch(files.slice(done, done + batch.files), batch, settings);
    done += batch.files;
    if (previous !== null) parentPort!.postMessage({ batch: previous, last: false });
    previous = { entries, readMs: batch.readMs, parseMs: batch.parseMs };
  }
  parentPort!.postMessage({ batch: previous, last: true });
  storeDeferredKeys(settings);
  parentPort!.postMessage({ keysStored: true });
}

void run();
