/**
 * External probes (ffprobe, mediainfo, exiftool) as child processes with a deadline. A
 * tool that hangs on a hostile file is killed (SIGKILL, not a polite SIGTERM it could
 * ignore) at its timeout, and its output is capped so a runaway dump cannot exhaust memory.
 */
import { spawn } from 'node:child_process';

export type ToolIssueCode = 'TOOL_TIMEOUT' | 'TOOL_FAILED' | 'TOOL_MISSING';

export class ToolError extends Error {
  constructor(
    readonly code: ToolIssueCode,
    readonly tool: string,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface ToolOptions {
  timeoutMs: number;
  signal?: { throwIfAborted(): void };
  /** Exit codes that still mean an answer (ExifTool exits 1 with its error in the JSON). */
  okExitCodes?: readonly number[];
  /** Bytes of stdout kept; more fails the call. */
  maxOutput?: number;
}

/** Default per-call deadline; a 2 GB clip's header is read in well under a second. */
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 32 * 1024 * 1024;
const CANCEL_POLL_MS = 50;

/** Runs `command args…` and resolves with its stdout; rejects with a ToolError naming the tool and the file. */
export function runTool(command: string, args: string[], file: string, o: ToolOptions): Promise<string> {
  const tool = command.split('/').pop()!;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let settled = false;
    const finish = (e: ToolError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearInterval(cancelPoll);
      if (e) {
        child.kill('SIGKILL');
        reject(e);
      } else resolve(Buffer.concat(out).toString('utf8'));
    };
    const deadline = setTimeout(() => finish(new ToolError('TOOL_TIMEOUT', tool, `${tool} did not answer within ${o.timeoutMs} ms on ${file}; killed`)), o.timeoutMs);
    // Worker tasks are cancelled through a shared cell, not an event: poll it.
    const cancelPoll = setInterval(() => {
      try {
        o.signal?.throwIfAborted();
      } catch {
        finish(new ToolError('TOOL_FAILED', tool, `${tool} on ${file} was cancelled`));
      }
    }, CANCEL_POLL_MS);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > (o.maxOutput ?? MAX_OUTPUT)) finish(new ToolError('TOOL_FAILED', tool, `${tool} wrote more than ${o.maxOutput ?? MAX_OUTPUT} bytes about ${file}`));
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 4096) err += b.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      finish(e.code === 'ENOENT' ? new ToolError('TOOL_MISSING', tool, `${tool} is not installed (needed for ${file})`) : new ToolError('TOOL_FAILED', tool, `${tool} could not start: ${e.message}`)),
    );
    child.on('close', (code, sig) => {
      if (code !== null && (o.okExitCodes ?? [0]).includes(code) && (code === 0 || outBytes > 0)) finish(undefined);
      else finish(new ToolError('TOOL_FAILED', tool, `${tool} failed on ${file} (${sig ?? `exit ${code}`}): ${firstLine(err) || 'no message'}`));
    });
  });
}

function firstLine(s: string): string {
  // ffmpeg prefixes its messages with "[demuxer @ 0xADDRESS]": noise to a reader.
  return (s.trim().split('\n')[0] ?? '').replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').slice(0, 300);
}
