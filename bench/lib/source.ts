import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_DIR } from './paths.js';

/** Which code a run measured: a hash of the .ts files under src/ (sorted by path) and the newest modification time among them. */
export function srcSnapshot(): { sha1: string; newestChange: string } {
  const hash = createHash('sha1');
  let newest = 0;
  const files = (readdirSync(path.join(PROJECT_DIR, 'src'), { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).sort();
  for (const file of files) {
    const full = path.join(PROJECT_DIR, 'src', file);
    hash.update(file).update(readFileSync(full));
    newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return { sha1: hash.digest('hex').slice(0, 12), newestChange: new Date(newest).toISOString() };
}
