/**
 * Worker thread entry: parses the files it is given (parseFiles) and posts the result back. The
 * structured clone keeps shared provider and topic records shared within the message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseFiles, type FileToParse, type ParseSettings } from './parse-files.js';

const { files, settings } = workerData as { files: FileToParse[]; settings: ParseSettings };
void parseFiles(files, settings).then((parsed) => parentPort!.postMessage(parsed));
