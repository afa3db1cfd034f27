/**
 * The sandbox's notion of "now": the host clock (or a test's) plus a persisted offset that
 * `POST /_sandbox/clock {"advanceDays": n}` moves forward, so lifecycle rules such as `sinceImagePushed`
 * can be exercised without waiting days. SigV4 clock-skew checks use the unshifted clock: clients sign
 * with real time.
 */
import type { MetadataStore } from '../storage/metadata-store.ts';

const OFFSET_KEY = 'clock-offset-ms';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Sandbox time in epoch milliseconds. */
export class SandboxClock {
  private _offsetMs: number;

  constructor(
    private readonly _store: MetadataStore,
    private readonly _base: () => number = Date.now,
  ) {
    this._offsetMs = Number(_store.getSetting(OFFSET_KEY) ?? '0') || 0;
  }

  /** Shifted time: what pushedAt, createdAt and token expiry use. */
  now(): number {
    return this._base() + this._offsetMs;
  }

  /** Unshifted time, for SigV4 skew checks. */
  realNow(): number {
    return this._base();
  }

  get offsetMs(): number {
    return this._offsetMs;
  }

  /** Moves sandbox time forward by whole or fractional days (persisted). */
  advanceDays(days: number): void {
    this._offsetMs += Math.round(days * DAY_MS);
    this._store.setSetting(OFFSET_KEY, String(this._offsetMs));
  }
}
