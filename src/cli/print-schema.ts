/** `npm run schema`: rewrites schema.graphql with the printed, sorted schema. */
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../schema/index.js';

const target = new URL('../../schema.graphql', import.meta.url);
writeFileSync(target, printSortedSchema());
process.stdout.write(`wrote ${target.pathname}\n`);
