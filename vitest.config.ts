import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships CommonJS and ES module builds without an exports map: Node (and so yoga and
    // Pothos) loads the CommonJS one, Vite would pick the ES module one for our sources. Two copies
    // make `instanceof GraphQLError` fail, so client errors would be masked in tests only.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests that start the server run it as `npm start` does: compiled to dist/.
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
