/**
 * `npm run schema`: rewrites schema.graphql with the printed, sorted schema.
 * `npm run schema -- --federation`: prints the Apollo Federation subgraph's SDL to stdout instead
 * (what `_service { sdl }` serves with FEDERATION=on), and writes nothing.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { printSortedSchema, printSubgraphSdl } from '../schema/index.js';

let federation: boolean;
try {
  federation =
    parseArgs({ args: process.argv.slice(2), options: { federation: { type: 'boolean' } }, strict: true }).values.federation === true;
} catch (error) {
  process.stderr.write(`newsgraph: ${(error as Error).message}\nusage: npm run schema [-- --federation]\n`);
  process.exit(2);
}

if (federation) {
  process.stdout.write(printSubgraphSdl());
} else {
  const target = new URL('../../schema.graphql', import.meta.url);
  writeFileSync(target, printSortedSchema());
  process.stdout.write(`wrote ${target.pathname}\n`);
}
