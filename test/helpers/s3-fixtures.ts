/**
 * The S3 servers of s3-servers.ts as vitest fixtures: started once per test file (in the
 * describe block that needs them), stopped after it. In CI a server that cannot run is an
 * error naming the reason; elsewhere the tests are skipped with it.
 */
import { afterAll, beforeAll } from 'vitest';
import { motoMissing, rgwMissing, startMoto, startRgw, type RgwServer, type S3Server } from './s3-servers.ts';

function whyNot(reason: string | undefined, what: string): string | undefined {
  if (reason !== undefined && process.env.CI) throw new Error(`CI needs ${what}: ${reason}`);
  return reason;
}

/** Why RGW is not available here (undefined when it is); in CI, an error instead. */
export const rgwUnavailable = (): string | undefined => whyNot(rgwMissing(), 'Ceph RGW (.ci/run installs it)');
export const motoUnavailable = (): string | undefined => whyNot(motoMissing(), 'moto_server with python3-crc32c (.ci/run installs it)');

function fixture<T extends S3Server>(start: () => Promise<T>): () => T {
  let server: T | undefined;
  beforeAll(async () => {
    server = await start();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  return () => {
    if (!server) throw new Error('the S3 server did not start (see beforeAll)');
    return server;
  };
}

/** Call inside a describe block: RGW for the tests in it. */
export const useRgw = (memMiB?: number): (() => RgwServer) => fixture(() => startRgw({ memMiB }));
export const useMoto = (options?: { crc32c?: boolean; env?: Record<string, string> }): (() => S3Server) => fixture(() => startMoto(options));
