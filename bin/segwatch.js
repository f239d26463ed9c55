#!/usr/bin/env node
'use strict';
// The `segwatch` command. TypeScript sources run through tsx's require hook, so the CLI works
// straight after `npm install` / `npm ci`, with no build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const { main } = require('./cli.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Last resort: never a stack trace for a user (SEGWATCH_DEBUG=1 shows it).
    process.stderr.write(`segwatch: ${err?.message ? err.message : String(err)}\n`);
    if (process.env.SEGWATCH_DEBUG) process.stderr.write(`${err?.stack}\n`);
    process.exitCode = 2;
  },
);
