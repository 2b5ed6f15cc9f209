import { build } from '../scripts/build.mjs';

/** Compiles dist/ once before the tests, so server processes run what `npm start` runs. */
export default async function setup(): Promise<void> {
  await build();
}
