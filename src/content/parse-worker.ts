/**
 * Worker thread entry: parses the files it is given and posts the results back in batches, so the
 * calling thread takes them in while the rest are parsed, and no single message holds them all.
 * Each message is `{ batch, last }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FileToParse, type ParseSettings, parseInBatches } from './parse-files.js';

const { files, settings, batchSize } = workerData as { files: FileToParse[]; settings: ParseSettings; batchSize: number };

async function run(): Promise<void> {
  let previous: unknown = null;
  for await (const batch of parseInBatches(files, settings, batchSize)) {
    if (previous !== null) parentPort!.postMessage({ batch: previous, last: false });
    previous = batch;
  }
  parentPort!.postMessage({ batch: previous, last: true });
}

void run();
