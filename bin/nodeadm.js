#!/usr/bin/env node
// CommonJS (bin/package.json), so that it runs before anything touches libuv's threadpool.
// The keys init generates run there, one task per prime, and the pool is sized once, at its
// first use, from UV_THREADPOOL_SIZE (default 4): give it a thread per core on larger machines.
// An ES module entry point is itself read through the pool, too late to size it.
'use strict';
const { access } = require('node:fs');
const { availableParallelism } = require('node:os');

if (process.env.UV_THREADPOOL_SIZE === undefined) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, availableParallelism()));
  // The first queued task starts the pool; the commands nodeadm runs do not inherit the size.
  access(__filename, () => {});
  delete process.env.UV_THREADPOOL_SIZE;
}
import('../dist/bundle/cli.js').then(async ({ main }) => {
  process.exitCode = await main(process.argv.slice(2));
});
