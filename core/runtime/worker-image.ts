/**
 * The worker image a swarm's tasks run, named so that every node runs the same bytes: by its
 * digest in a registry every node pulls from. The image built here (scripts/build-image.sh)
 * can be pushed to such a registry through the Engine API; an image already named in a
 * registry is pinned to the digest the registry holds now; an image only this engine has
 * serves a swarm of this one node alone.
 */
import { RushesError } from '../errors.ts';
import type { DockerEngine } from './docker.ts';

interface ImageName {
  /** `host[:port]` when the name has one. */
  registry?: string;
  repo: string;
  tag: string;
  digest?: string;
}

/** Splits a Docker image reference: [host[:port]/]path[:tag][@digest]. */
export function parseImageName(ref: string): ImageName {
  const [named, digest] = ref.split('@') as [string, string | undefined];
  const slash = named.indexOf('/');
  const first = slash < 0 ? '' : named.slice(0, slash);
  const hasHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const rest = hasHost ? named.slice(slash + 1) : named;
  const colon = rest.lastIndexOf(':');
  const [repo, tag] = colon > rest.lastIndexOf('/') ? [rest.slice(0, colon), rest.slice(colon + 1)] : [rest, 'latest'];
  return { ...(hasHost ? { registry: first } : {}), repo, tag, ...(digest ? { digest } : {}) };
}

const withHost = (n: ImageName) => (n.registry ? `${n.registry}/${n.repo}` : n.repo);

async function assertLocal(engine: DockerEngine, image: string): Promise<void> {
  const r = await engine.call('GET', `/images/${encodeURIComponent(image)}/json`);
  if (r.status === 404) throw new RushesError('RUNTIME_UNAVAILABLE', `the worker image ${image} is not on this Docker engine; build it with scripts/build-image.sh`);
}

/** Pushes a local image to `registry` (host:port) and answers it by the digest the registry gave. */
export async function pushImage(engine: DockerEngine, image: string, registry: string): Promise<string> {
  await assertLocal(engine, image);
  const n = parseImageName(image);
  const target = `${registry}/${n.repo}`;
  await engine.ok('POST', `/images/${encodeURIComponent(image)}/tag?repo=${encodeURIComponent(target)}&tag=${encodeURIComponent(n.tag)}`, undefined, `to tag ${image} for ${registry}`);
  // The engine wants an auth header even for a registry that asks none.
  const auth = Buffer.from('{}').toString('base64');
  const r = await engine.call('POST', `/images/${encodeURIComponent(target)}/push?tag=${encodeURIComponent(n.tag)}`, undefined, { 'X-Registry-Auth': auth });
  // The answer is a stream of JSON lines: progress, maybe an error, and last the digest.
  const lines = String(typeof r.body === 'string' ? r.body : JSON.stringify(r.body)).split('\n').filter(Boolean);
  let digest: string | undefined;
  for (const line of lines) {
    let m: { error?: string; aux?: { Digest?: string } };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      continue;
    }
    if (m.error) throw new RushesError('RUNTIME_UNAVAILABLE', `pushing ${image} to ${registry} failed: ${m.error}`);
    digest = m.aux?.Digest ?? digest;
  }
  if (r.status >= 300 || !digest) throw new RushesError('RUNTIME_UNAVAILABLE', `pushing ${image} to ${registry} failed (HTTP ${r.status}): ${lines.at(-1) ?? 'no answer'}`);
  return `${target}@${digest}`;
}

/**
 * The name a swarm's services run the worker image by: pushed to `registry` when one is given,
 * else as named when pinned already, else pinned to its registry's digest; a name only this
 * engine knows serves a one-node swarm alone.
 */
export async function pinnedImage(engine: DockerEngine, image: string, o: { registry?: string; nodes: number }): Promise<string> {
  if (o.registry) return pushImage(engine, image, o.registry);
  const n = parseImageName(image);
  if (n.digest) return image;
  if (n.registry) {
    const r = await engine.call('GET', `/distribution/${encodeURIComponent(image)}/json`);
    const digest = (r.body as { Descriptor?: { digest?: string } } | undefined)?.Descriptor?.digest;
    if (r.status !== 200 || !digest) throw new RushesError('RUNTIME_UNAVAILABLE', `the registry ${n.registry} does not serve ${image}: ${(r.body as { message?: string })?.message ?? r.status}`);
    return `${withHost(n)}@${digest}`;
  }
  if (o.nodes > 1) throw new RushesError('RUNTIME_UNAVAILABLE', `the worker image ${image} is on this engine only, and the swarm has ${o.nodes} nodes: push it to a registry they all reach (the config's render.swarm.registry)`);
  await assertLocal(engine, image);
  return image;
}
