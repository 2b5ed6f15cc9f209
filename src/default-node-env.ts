/**
 * Imported first by the entry point: graphql-js decides at load time whether to run its
 * development-only checks (a costly `instanceof` guard on every type test) from NODE_ENV, so the
 * server defaults it to production. An explicit NODE_ENV is kept.
 */
process.env.NODE_ENV ??= 'production';
