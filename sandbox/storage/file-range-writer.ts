/**
 * Writes a byte range of a file into a writable (an HTTP response) with two buffers that take turns.
 *
 * Why not `pipeline(createReadStream(path), res)`: a read stream allocates a fresh off-heap buffer for every
 * chunk, and on a 256 MiB pull that churn is what V8 collects; measured here (bench/registry.ts), it cost the
 * sandbox about twice the CPU of distribution's sendfile(2) and at times sent V8 into back-to-back full
 * collections. Node has no sendfile, so this is the next best thing: no allocation per chunk at all.
 * One buffer is read into while the other is being written; a buffer is only reused after `out` called back
 * for it, which is when the socket no longer holds it.
 */
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';

/** Bytes per read and per socket write: with 64 KiB a pull cost about twice the CPU (docs/benchmarks.md, Registry). */
export const CHUNK_BYTES = 1 << 20;

const GONE = Symbol('gone');

/**
 * Writes bytes `start..end` (inclusive) of the file at `path` into `out`; does not end `out`. Resolves once the
 * last byte was handed to `out`, or early, without error, when `out` closes first (the client went away).
 * Rejects on a read error, a file shorter than the range, or a write error.
 */
export async function writeFileRange(path: string, range: { start: number; end: number }, out: Writable): Promise<void> {
  const length = range.end - range.start + 1;
  if (length <= 0) return;
  const file = await open(path, 'r');
  // A destroyed socket may never call back for a write (http's OutgoingMessage drops writes to a destroyed
  // socket silently), so every wait also ends when `out` closes.
  let onClose!: () => void;
  const gone = new Promise<typeof GONE>((resolve) => {
    onClose = () => resolve(GONE);
    out.once('close', onClose);
  });
  const size = Math.min(CHUNK_BYTES, length);
  const buffers: [Buffer, Buffer] = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let inFlight: Promise<Error | undefined> | undefined;
  const settle = async (): Promise<boolean> => {
    if (inFlight === undefined) return true;
    const outcome = await Promise.race([inFlight, gone]);
    if (outcome === GONE) return false;
    if (outcome !== undefined) throw outcome;
    return true;
  };
  try {
    let position = range.start;
    for (let turn = 0; position <= range.end; turn ^= 1) {
      const buffer = turn === 0 ? buffers[0] : buffers[1];
      const { bytesRead } = await file.read(buffer, 0, Math.min(size, range.end - position + 1), position);
      if (bytesRead === 0) throw new Error(`${path} ends at byte ${position}, before the ${range.end + 1} bytes expected`);
      // The other buffer's write must be done before this one is queued: the next read goes into it.
      if (!(await settle())) return;
      inFlight = write(out, buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    await settle();
  } finally {
    out.off('close', onClose);
    await file.close();
  }
}

/** `out.write` as a promise of its callback's error; never rejects, so an abandoned wait cannot go unhandled. */
function write(out: Writable, chunk: Buffer): Promise<Error | undefined> {
  return new Promise((resolve) => {
    out.write(chunk, (err) => resolve(err ?? undefined));
  });
}
