/**
 * The loader as the load benchmark measures it: src/content/load.ts compiled like `npm start`'s
 * build, with its parse worker beside it, into dist-bench/ (so the packages it imports resolve from
 * the project's node_modules).
 */
import path from 'node:path';
import { PROJECT_DIR } from './paths.js';

/** The compiled loader module (exports what src/content/load.ts does), once buildCompiledLoader has run. */
export const COMPILED_LOADER = path.join(PROJECT_DIR, 'dist-bench', 'load.mjs');

/** Compiles dist-bench/load.mjs and its worker threads' modules (esbuild is imported here only, not by the measured processes). */
export async function buildCompiledLoader(): Promise<void> {
  const { compile, WORKER_ENTRIES } = await import('../../scripts/build.mjs');
  await compile({ load: 'src/content/load.ts', ...WORKER_ENTRIES }, path.dirname(COMPILED_LOADER));
}
