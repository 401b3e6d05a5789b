'use strict';
// `node probe.js`: loads OpenBLAS with this process's OPENBLAS_CORETYPE and prints
// {"coreName", "error"} on one line. src-worker/backend/blas.ts runs it in a child process
// to try a core type before committing the worker's own process to it.
const blas = require('./index.js');
process.stdout.write(
  `${JSON.stringify({ coreName: blas.info().coreName, error: blas.selfCheck() })}\n`,
);
