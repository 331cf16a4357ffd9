/** Entry of the bundled `rushes-fn` (the worker image) and of bin/rushes-fn.cjs on the host. */
import { fnMain } from './fn.ts';

fnMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
