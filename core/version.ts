import pkg from '../package.json' with { type: 'json' };

/** How Rushes names itself in MHL creatorinfo and logs (bundled with the code, so `rushes-fn` in the worker image knows it too). */
export const TOOL = { name: pkg.name, version: pkg.version } as const;
