import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder. */
export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bench/ folder. */
export const BENCH_DIR = path.join(PROJECT_DIR, 'bench');
