import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/** How Rushes names itself in MHL creatorinfo and logs. */
export const TOOL = { name: pkg.name, version: pkg.version } as const;
