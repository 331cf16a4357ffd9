/** Reading the start of a file (a header, a sidecar) without reading all of it. */
import { promises as fsp } from 'node:fs';

/** The first `max` bytes of a file (fewer if it is shorter), and its whole size. */
export async function readStart(path: string, max: number): Promise<{ bytes: Buffer; size: number }> {
  const fh = await fsp.open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(size, max));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { bytes: buf.subarray(0, bytesRead), size };
  } finally {
    await fh.close();
  }
}
