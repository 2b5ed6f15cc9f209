/**
 * Worker thread entry: writes the rows of a search index build (search.ts, SearchIndex.prepare)
 * into the index file, in one transaction, while the calling thread reads the articles' text. FTS5
 * tokenizing and indexing the text is half of a build; on a thread of its own it runs beside the
 * reading of the records, the other half. Messages in: batches of rows, each acknowledged with
 * `{ written }` (the caller keeps only a few batches in flight), then the meta rows, which commit the
 * transaction and are answered `{ committed: true }`. A failure is thrown: the caller hears it as
 * the worker's `error` event, and the transaction is never committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What the worker is started with: the file, and the SQL of each statement (search.ts owns the schema). */
export interface SearchBuildData {
  readonly file: string;
  /** Inserts a row into a kind's row table: (rowid, slug, text_length). One per kind, by the kind's number in BuildRow. */
  readonly insertRow: readonly string[];
  /** Inserts a row's text into a kind's FTS5 table: (rowid, and the five columns). One per kind. */
  readonly insertText: readonly string[];
  /** Inserts a meta row: (key, value). */
  readonly insertMeta: string;
}

/** One row of the index, flat: kind number, rowid, slug, text length, then the five columns' text. */
export type BuildRow = [kind: number, rowid: number, slug: string, textLength: number, ...columns: string[]];

/** A message to the worker: a batch of rows, or the meta rows that end the build. */
export type SearchBuildMessage = { readonly rows: readonly BuildRow[] } | { readonly meta: readonly (readonly [string, string])[] };

const data = workerData as SearchBuildData;
const db = new Database(data.file);
db.pragma('busy_timeout = 10000');
db.pragma('synchronous = OFF');
const insertRow = data.insertRow.map((sql) => db.prepare(sql));
const insertText = data.insertText.map((sql) => db.prepare(sql));
const insertMeta = db.prepare(data.insertMeta);
db.exec('BEGIN');

parentPort!.on('message', (message: SearchBuildMessage) => {
  if ('rows' in message) {
    for (const [kind, rowid, slug, textLength, ...columns] of message.rows) {
      insertRow[kind]!.run(rowid, slug, textLength);
      insertText[kind]!.run(rowid, ...columns);
    }
    parentPort!.postMessage({ written: message.rows.length });
    return;
  }
  for (const [key, value] of message.meta) insertMeta.run(key, value);
  db.exec('COMMIT');
  db.close();
  parentPort!.postMessage({ committed: true });
  parentPort!.close();
});
