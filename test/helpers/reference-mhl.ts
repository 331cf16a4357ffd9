/**
 * The reference ASC MHL implementation (ascmitc/mhl) as a peer: `../shared/peers/ascmhl/run`
 * beside the checkout, or RUSHES_PEERS_DIR/ascmhl.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const peers = process.env.RUSHES_PEERS_DIR ?? fileURLToPath(new URL('../../../shared/peers', import.meta.url));
const launcher = join(peers, 'ascmhl', 'run');

export const referenceTool = {
  dir: join(peers, 'ascmhl'),
  /** Why the tool cannot run here, or undefined. */
  missing(): string | undefined {
    if (!existsSync(launcher)) return `the reference ASC MHL tool is not at ${launcher} (set RUSHES_PEERS_DIR)`;
    const probe = spawnSync(launcher, ['ascmhl', '--help'], { encoding: 'utf8' });
    return probe.status === 0 ? undefined : `the reference ASC MHL tool does not start: ${probe.stderr.trim().split('\n').pop()}`;
  },
  /** Runs `ascmhl` or `ascmhl-debug`; `output` is stdout and stderr together. */
  run(tool: 'ascmhl' | 'ascmhl-debug', args: string[]): { status: number | null; output: string } {
    const r = spawnSync(launcher, [tool, ...args], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  },
};
