/**
 * The daemon's configuration file: JSON, validated against schemas/config.schema.json, with
 * errors that name the file and the bad key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileDurably } from '../fs/durable.ts';
import { RushesError } from '../errors.ts';
import type { BackoffPolicy, Limits } from '../queue/index.ts';
import type { LogLevel } from '../util/log.ts';
import { ingestSettings, type IngestConfig } from '../watch/settings.ts';
import type { WebhookConfig } from '../webhook/job.ts';
import type { RenderConfig } from '../render/job.ts';
import type { Backend } from '../runtime/executor.ts';
import type { ReportConfig } from '../report/job.ts';
import { compileSchema, describeErrors } from '../util/schema.ts';
import { bandwidthOf, syncSettings, type SyncConfig } from './sync.ts';
import type { Logger } from '../util/log.ts';
import type { EngineOptions, WorkflowSections } from './engine.ts';

export interface DaemonConfig extends WorkflowSections {
  /** A note for editors (the schema's URL); kept as the file has it. */
  $schema?: string;
  host?: string;
  port?: number;
  token?: string;
  concurrency?: number;
  maxAttempts?: number;
  leaseMs?: number;
  shutdownGraceMs?: number;
  backoff?: BackoffPolicy;
  limits?: Limits;
  logLevel?: LogLevel;
}

const validate = compileSchema<DaemonConfig>('config.schema.json');

/** Where the daemon keeps its config when no --config names one (the UI's Settings save there). */
export const defaultConfigFile = (home: string) => join(home, 'config.json');

export function loadConfig(file: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RushesError('USAGE', `cannot read the config file ${file}: ${(e as Error).message}`, { path: file });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RushesError('USAGE', `the config file ${file} is not valid JSON: ${(e as Error).message}`, { path: file });
  }
  return checkConfig(value, `the config file ${file}`, file);
}

/** Validates a config against the schema and each section's own checks (a layout field that does not exist); `what` names it in the error. */
export function checkConfig(value: unknown, what: string, path?: string): DaemonConfig {
  if (!validate(value)) throw new RushesError('USAGE', `${what} is invalid: ${describeErrors(validate.errors)}`, { path });
  const check = (section: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      throw new RushesError('USAGE', `${what} is invalid: ${section}: ${(e as Error).message}`, { path });
    }
  };
  if (value.ingest) check('ingest', () => ingestSettings(value.ingest!));
  if (value.sync) check('sync', () => (syncSettings(value.sync), bandwidthOf(value.sync)));
  return value;
}

/** Writes a checked config durably (a crash leaves the old file or the new one, never half of it). */
export async function saveConfig(file: string, config: DaemonConfig): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileDurably(file, `${JSON.stringify(config, null, 2)}\n`);
}

/** The engine a config file describes, as the daemon and the desktop app run it. */
export function engineOptionsFrom(config: DaemonConfig, o: { home: string; file: string; log: Logger }): EngineOptions {
  return {
    home: o.home,
    log: o.log,
    concurrency: config.concurrency,
    limits: config.limits,
    backoff: config.backoff,
    leaseMs: config.leaseMs,
    maxAttempts: config.maxAttempts,
    ingest: config.ingest,
    webhooks: config.webhooks,
    render: config.render,
    inspect: config.inspect,
    reports: config.reports,
    sync: config.sync,
    config: { file: o.file, startedWith: config },
  };
}

/** The config file a daemon on `home` reads: the one named, else the home's own (absent is an empty config). */
export function readConfigFor(home: string, named: string | undefined): { file: string; config: DaemonConfig } {
  const file = named ?? defaultConfigFile(home);
  return { file, config: named || existsSync(file) ? loadConfig(file) : {} };
}
