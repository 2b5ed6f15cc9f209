import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The shared real-world sample (220 files), beside the project as in CI. */
export const SAMPLE_CORPUS = path.resolve(PROJECT_ROOT, '../shared/corpus/everyday-ai');
/** The founding example: one file. */
export const SEED_CORPUS = path.resolve(PROJECT_ROOT, '../shared/corpus/seed');
/** The project's own sample articles. */
export const CONTENT_DIR = path.resolve(PROJECT_ROOT, 'content');
/** Small fixtures, one per edge case. */
export const FIXTURES = path.resolve(PROJECT_ROOT, 'tests/fixtures');
