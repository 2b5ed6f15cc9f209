/**
 * The parse cache: what loading each file produced (its article and diagnostics), kept on disk
 * between starts in one snapshot file per content directory, so a start parses only the files whose
 * size or modification time changed. The snapshot is only ever a cache: one that is missing, cut
 * short, corrupt, foreign or written by another loader version is set aside and rebuilt, and a
 * snapshot is replaced whole by an atomic rename, so processes sharing a cache directory never see
 * a half-written one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { crc32 } from 'node:zlib';
import type { Article, Diagnostic } from './model.js';

/** What loading one file produced, with the size and modification time it had then. */
export interface CachedFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly article: Article | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** The entries of a snapshot, by the file's path relative to the content directory. */
export type CacheEntries = ReadonlyMap<string, CachedFile>;

/** What reading a snapshot found: its entries, or why there are none. */
export type SnapshotReading =
  | { readonly ok: true; readonly entries: CacheEntries }
  | { readonly ok: false; readonly missing: boolean; readonly reason: string };

const MAGIC = Buffer.from('NEWSGRAPH-PARSE-CACHE\n', 'latin1');
/** The layout of the file itself; the loader version covers what the entries mean. */
const FORMAT_VERSION = 1;
/** magic, format version (u32), loader version (32 bytes), entries (u32), body length (f64), body CRC-32 (u32). */
const HEADER_BYTES = MAGIC.length + 4 + 32 + 4 + 8 + 4;

const here = fileURLToPath(import.meta.url);

/**
 * The version of the code that turns files into records: a hash of its source (the bundle when
 * compiled, every module of src/content/ when run from the sources). Any change to it makes older
 * snapshots stale, so a snapshot never outlives the rules that made it.
 */
export const LOADER_VERSION: Buffer = (() => {
  const hash = createHash('sha256').update(`format ${FORMAT_VERSION}\n`);
  const directory = path.dirname(here);
  const sources = here.endsWith('.ts')
    ? readdirSync(directory)
        .filter((name) => name.endsWith('.ts'))
        .sort()
        .map((name) => path.join(directory, name))
    : [here];
  for (const source of sources) hash.update(readFileSync(source));
  return hash.digest();
})();

/**
 * The snapshot file under a cache directory for a content directory (by its real path) loaded with
 * these settings: other settings (a SITE_URL, say) read the same files differently.
 */
export function snapshotPath(cacheDir: string, contentRoot: string, settings: unknown): string {
  const key = createHash('sha256').update(contentRoot).update('\n').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
  return path.join(cacheDir, `parse-cache-${key}.bin`);
}

/** Reads and checks a snapshot; never throws. */
export function readSnapshot(file: string): SnapshotReading {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, missing, reason: missing ? 'there is none' : `it cannot be read (${(error as NodeJS.ErrnoException).code})` };
  }
  const problem = checkHeader(bytes);
  if (problem !== null) return { ok: false, missing: false, reason: problem };
  const count = bytes.readUInt32LE(MAGIC.length + 4 + 32);
  let entries: unknown;
  try {
    entries = v8.deserialize(bytes.subarray(HEADER_BYTES));
  } catch (error) {
    return { ok: false, missing: false, reason: `its body cannot be decoded (${(error as Error).message})` };
  }
  if (!(entries instanceof Map) || entries.size !== count)
    return { ok: false, missing: false, reason: 'its entries do not match its header' };
  return { ok: true, entries: entries as CacheEntries };
}

/** Why a snapshot's header or body cannot be trusted, or null when both check out. */
function checkHeader(bytes: Buffer): string | null {
  if (bytes.length < HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return 'it is not a Newsgraph parse cache';
  let offset = MAGIC.length;
  const format = bytes.readUInt32LE(offset);
  offset += 4;
  if (format !== FORMAT_VERSION) return `it has format ${format}, this loader reads format ${FORMAT_VERSION}`;
  if (!bytes.subarray(offset, offset + 32).equals(LOADER_VERSION)) return 'it was written by another version of the loader';
  offset += 32 + 4;
  const bodyLength = bytes.readDoubleLE(offset);
  offset += 8;
  if (bytes.length - HEADER_BYTES !== bodyLength)
    return `it is cut short or overlong (${bytes.length - HEADER_BYTES} of ${bodyLength} body bytes)`;
  if (crc32(bytes.subarray(HEADER_BYTES)) !== bytes.readUInt32LE(offset)) return 'its checksum does not match: the file is corrupt';
  return null;
}

/**
 * Writes a snapshot of `entries` to `file`: to a temporary file beside it first, then renamed over
 * it, so a reader sees the old snapshot or the new one, never a part.
 */
export function writeSnapshot(file: string, entries: CacheEntries): void {
  const body = v8.serialize(entries);
  const header = Buffer.alloc(HEADER_BYTES);
  let offset = MAGIC.copy(header, 0);
  offset = header.writeUInt32LE(FORMAT_VERSION, offset);
  offset += LOADER_VERSION.copy(header, offset);
  offset = header.writeUInt32LE(entries.size, offset);
  offset = header.writeDoubleLE(body.length, offset);
  header.writeUInt32LE(crc32(body), offset);
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const descriptor = openSync(temporary, 'w');
    try {
      writeSync(descriptor, header);
      writeSync(descriptor, body);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Moves an untrusted snapshot out of the way (`….bad`), keeping it for inspection; returns where it went. */
export function setAsideSnapshot(file: string): string {
  const aside = `${file}.bad`;
  try {
    renameSync(file, aside);
  } catch {
    rmSync(file, { force: true });
  }
  return aside;
}
