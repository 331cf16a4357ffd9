/**
 * Where a function's input comes from and its outputs go, by URI scheme. A function reads a
 * local path and writes into a local staging folder; the storage turns URIs into those and
 * commits the finished outputs last, so a half-written output never stands under its final
 * name. `file://` is here; other schemes are registered by the service that speaks them
 * (core/sync registers `s3://`), so this layer needs no client for them.
 */
import { existsSync, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { destinationError, RushesError } from '../errors.ts';
import { fsyncFile, fsyncFolder, temporaryPath } from '../fs/durable.ts';
import { forEachLimited } from '../util/limit.ts';

export interface OutputStage {
  /** A local folder to write the outputs into (files, or folders of frames), one name each. */
  dir: string;
  /** Forces each named output to its device and moves it to its final place; answers where each landed (a path for file://). */
  commit(names: readonly string[]): Promise<Map<string, string>>;
  /** Removes what was staged (a failed or cancelled run). */
  discard(): Promise<void>;
}

export interface Storage {
  /** A local path to read `uri` from. */
  localInput(uri: string): Promise<string>;
  /** Stages the outputs of invocation `id` for the folder `uri`. */
  stageOutputs(uri: string, id: string): Promise<OutputStage>;
}

/** Files forced to the device at once when a plate's frames are committed. */
const SYNCS_AT_ONCE = 8;

export const fileUri = (path: string) => pathToFileURL(path).href;
export const dirUri = (path: string) => pathToFileURL(path.endsWith('/') ? path : path + '/').href;

const URI = /^([a-z][a-z0-9+.-]*):\/\//;

/** Whether a place is given as a URI (`s3://…`, `file://…`) rather than a local path. */
export const isUri = (place: string) => URI.test(place);

/** A folder as a URI: a URI as it is (ending in /), a local path as file://. */
export const folderUri = (place: string) => (isUri(place) ? (place.endsWith('/') ? place : `${place}/`) : dirUri(place));

/** The path a file:// URI names; any other scheme is a usage error naming it. */
export function localPath(uri: string): string {
  if (!uri.startsWith('file://')) throw new RushesError('USAGE', `${uri} is not a local path: this step reads and writes file:// locations only`);
  return fileURLToPath(uri);
}

/**
 * Renames a finished output to its final name, replacing an earlier run's (a folder cannot
 * be renamed over a non-empty one: the old one steps aside first, and goes once the new one
 * is in), and makes the rename durable.
 */
export async function moveIntoPlace(from: string, to: string): Promise<void> {
  const isFolder = (await fsp.stat(from)).isDirectory();
  const aside = temporaryPath(to, { unique: true });
  let movedAside = false;
  try {
    if (isFolder && existsSync(to)) {
      await fsp.rename(to, aside);
      movedAside = true;
    }
    await fsp.rename(from, to);
    await fsyncFolder(dirname(to));
  } catch (e) {
    // The earlier output goes back under its name: a failed commit never leaves the final name empty.
    if (movedAside) await fsp.rename(aside, to).catch(() => undefined);
    throw destinationError(e, to);
  }
  if (movedAside) await fsp.rm(aside, { recursive: true, force: true });
}

/** Forces a file, or a folder of frames and the folder itself, to the device. */
async function syncOutput(path: string): Promise<void> {
  if (!(await fsp.stat(path)).isDirectory()) return fsyncFile(path);
  await forEachLimited(await fsp.readdir(path), SYNCS_AT_ONCE, (name) => fsyncFile(join(path, name)));
  await fsyncFolder(path);
}

export const fileStorage: Storage = {
  async localInput(uri) {
    return localPath(uri);
  },
  async stageOutputs(uri, id) {
    const out = localPath(uri);
    await fsp.mkdir(out, { recursive: true }).catch((e: unknown) => {
      throw destinationError(e, out);
    });
    // A staging folder of this run alone: two runs of one invocation (a CLI beside the daemon) never share one.
    const dir = temporaryPath(join(out, `rushes-fn-${id}`), { unique: true });
    await fsp.mkdir(dir).catch((e: unknown) => {
      throw destinationError(e, dir);
    });
    return {
      dir,
      async commit(names) {
        const landed = new Map<string, string>();
        for (const name of names) {
          await syncOutput(join(dir, name)).catch((e: unknown) => {
            throw destinationError(e, join(dir, name));
          });
          await moveIntoPlace(join(dir, name), join(out, name));
          landed.set(name, join(out, name));
        }
        await fsp.rm(dir, { recursive: true, force: true });
        return landed;
      },
      discard: () => fsp.rm(dir, { recursive: true, force: true }),
    };
  },
};

/** A storage made when first used: its client library is loaded only by a run that needs it. */
export function lazyStorage(make: () => Promise<Storage>): Storage {
  let made: Promise<Storage> | undefined;
  const storage = () => (made ??= make());
  return {
    localInput: async (uri) => (await storage()).localInput(uri),
    stageOutputs: async (uri, id) => (await storage()).stageOutputs(uri, id),
  };
}

const schemes = new Map<string, Storage>([['file', fileStorage]]);

/** Makes `scheme://` locations readable and writable (core/sync registers s3 where an endpoint is configured). */
export function registerStorage(scheme: string, storage: Storage): void {
  schemes.set(scheme, storage);
}

/** The storage for a URI's scheme; one nothing registered is refused, with the reason, before anything runs. */
export function storageFor(uri: string): Storage {
  const scheme = URI.exec(uri)?.[1];
  const storage = scheme === undefined ? undefined : schemes.get(scheme);
  if (!storage) {
    const why = scheme === 's3' ? 'no S3 endpoint is configured here (the config\'s "sync" section, or RUSHES_S3_ENDPOINT for rushes-fn)' : `known: ${[...schemes.keys()].map((k) => `${k}://`).join(', ')}`;
    throw new RushesError('USAGE', `${uri}: cannot read or write this location (${why})`);
  }
  return storage;
}
