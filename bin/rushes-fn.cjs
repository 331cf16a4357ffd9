#!/usr/bin/env node
'use strict';
// `rushes-fn [INVOCATION.json]`: one function invocation, run on the host's ffmpeg (the
// worker image runs the same code, bundled). See workers/fn.ts.
require('tsx/cjs/api').register();
require('../workers/fn-main.ts');
