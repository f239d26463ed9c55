#!/usr/bin/env node
'use strict';
// `npm run bench`: the benchmark program (bench/bench.ts), a development tool beside the
// `segwatch` CLI, not part of it (it needs the dev dependencies: fast-check, pdf-lib, esbuild).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const { benchCommand } = require('./bench.ts');
benchCommand(process.argv.slice(2), process.stdout, process.stderr).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench: ${err?.message ? err.message : String(err)}\n`);
    if (process.env.SEGWATCH_DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.exitCode = 2;
  },
);
