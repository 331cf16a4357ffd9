/**
 * The daemon's configuration file: JSON, validated against schemas/config.schema.json, with
 * errors that name the file and the bad key.
 */
import { readFileSync } from 'node:fs';
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

export interface DaemonConfig {
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
  ingest?: IngestConfig;
  webhooks?: WebhookConfig[];
  render?: RenderConfig;
  inspect?: { runtime?: Backend };
  reports?: ReportConfig;
  sync?: SyncConfig;
}

const validate = compileSchema<DaemonConfig>('config.schema.json');

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
  if (!validate(value)) throw new RushesError('USAGE', `the config file ${file} is invalid: ${describeErrors(validate.errors)}`, { path: file });
  const check = (section: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      throw new RushesError('USAGE', `the config file ${file} is invalid: ${section}: ${(e as Error).message}`, { path: file });
    }
  };
  if (value.ingest) check('ingest', () => ingestSettings(value.ingest!));
  if (value.sync) check('sync', () => (syncSettings(value.sync), bandwidthOf(value.sync)));
  return value;
}
