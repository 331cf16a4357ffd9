import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Rushes keeps its store: $RUSHES_HOME, else the platform's data folder
 * ($XDG_DATA_HOME/rushes, ~/.local/share/rushes, or ~/Library/Application Support/Rushes).
 */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUSHES_HOME) return env.RUSHES_HOME;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Rushes');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'rushes');
}
