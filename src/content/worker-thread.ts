/** Worker threads of this build: the loader's parse threads (parse-worker.ts) and the search index's writer (search-build-worker.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The entry modules of src/content/ that run on worker threads, by name; scripts/build.mjs compiles each beside the server. */
export type WorkerModule = 'parse-worker' | 'search-build-worker';

const here = fileURLToPath(import.meta.url);
const bundles = new Map<WorkerModule, Promise<string>>();

/**
 * A worker thread running `module` with this data, from whichever build this module is: the
 * compiled JavaScript beside it, or, from the TypeScript sources (tsx, tests), a bundle of the
 * worker made once per process with esbuild (Node.js 20 does not apply tsx's loader to a worker's
 * entry module).
 */
export async function startWorkerThread(module: WorkerModule, workerData: unknown): Promise<Worker> {
  const file = path.join(path.dirname(here), `${module}${path.extname(here)}`);
  if (!file.endsWith('.ts')) return new Worker(file, { workerData });
  let bundle = bundles.get(module);
  if (bundle === undefined) {
    bundle = import('esbuild').then(async (esbuild) => {
      const built = await esbuild.build({
        entryPoints: [file],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        // Packages load from node_modules, as in the compiled build (scripts/build.mjs); native ones (lmdb, better-sqlite3) must.
        packages: 'external',
        write: false,
        logLevel: 'silent',
      });
      return built.outputFiles[0]!.text;
    });
    bundles.set(module, bundle);
  }
  return new Worker(await bundle, { eval: true, workerData });
}
