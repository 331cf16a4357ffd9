import type { Command } from 'commander';
import type { Io } from './io.ts';

/** `rushes verify` and `rushes mhl create|info|diff` (wired to core/mhl). */
export function registerMhlCommands(_program: Command, _io: Io, _setExit: (code: number) => void): void {}
