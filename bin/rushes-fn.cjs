#!/usr/bin/env node
'use strict';
// `rushes-fn [INVOCATION.json]`: one function invocation (see workers/fn.ts), compiled once
// into dist/ (the worker image runs the same file); a checkout without it runs the sources.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'rushes-fn.cjs');
if (existsSync(built)) require(built);
else {
  require('tsx/cjs/api').register();
  require('../workers/fn-main.ts');
}
