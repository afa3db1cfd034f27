/** A region of a {@link SharedByteRing}: where the bytes are, and the ticket that frees them. */
export interface RingRegion {
  seq: number;
  offset: number;
  length: number;
}

/**
 * A ring of shared memory for handing bytes to another thread without allocating per message: the writer
 * copies into the next free space and the reader hands the region back with {@link release} once done with it.
 * Regions may be released in any order (the reader works on several terminals); space is reused only from the
 * oldest region that is free, so nothing still being read is overwritten.
 */
export class SharedByteRing {
  readonly buffer: SharedArrayBuffer;
  private readonly _bytes: Uint8Array;
  private _head = 0;
  private _used = 0;
  private _nextSeq = 1;
  /** Regions in write order, with whether each was released; the oldest ones are freed together. */
  private readonly _regions: Array<{ seq: number; length: number; released: boolean }> = [];

  constructor(readonly capacity: number) {
    this.buffer = new SharedArrayBuffer(capacity);
    this._bytes = new Uint8Array(this.buffer);
  }

  /** Bytes in regions not yet freed. */
  get used(): number {
    return this._used;
  }

  /**
   * Copies `data` in. Returns one region, or two when it wraps around the end, or undefined when it does not
   * fit (the caller then hands over a copy of its own).
   */
  write(data: Uint8Array): RingRegion[] | undefined {
    if (data.length === 0 || data.length > this.capacity - this._used) return undefined;
    const first = Math.min(data.length, this.capacity - this._head);
    const regions = [this._take(data.subarray(0, first))];
    if (first < data.length) regions.push(this._take(data.subarray(first)));
    return regions;
  }

  /** The reader is done with this region. */
  release(seq: number): void {
    const region = this._regions.find((r) => r.seq === seq);
    if (region) region.released = true;
    while (this._regions[0]?.released) this._used -= this._regions.shift()!.length;
  }

  private _take(part: Uint8Array): RingRegion {
    const region = { seq: this._nextSeq++, offset: this._head, length: part.length };
    this._bytes.set(part, this._head);
    this._head = (this._head + part.length) % this.capacity;
    this._used += part.length;
    this._regions.push({ seq: region.seq, length: region.length, released: false });
    return region;
  }
}
