#!/usr/bin/env node
'use strict';
// Copies overlap many fsync/open/rename calls; libuv's default of 4 threads serialises
// them, and more than 8 cost more in thread hand-offs than they gain on 2 cores (measured
// with 5,000 small files). The size is read when the thread pool starts, and the ES module loader starts it,
// so it is set here, in CommonJS, before any module is imported.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '8';
import('./rushes-main.js');
