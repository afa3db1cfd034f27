import type { IDisposable } from '../core/lifecycle.ts';
import type { LabProgressView } from '../core/protocol.ts';

/** Backoff of background checks: quick while the learner is working, slower while nothing changes. */
export const AUTO_CHECK_BACKOFF_MS = [5_000, 10_000, 20_000, 40_000, 60_000] as const;

export interface AutoCheckDeps {
  /** The step to check in the background: the first one not passed that has checks, or undefined when done. */
  currentStep(learnerId: string, labId: string): Promise<string | undefined>;
  check(learnerId: string, labId: string, stepId: string): Promise<LabProgressView>;
  /** Skip a round while the learner's own check runs (never two in flight per learner). */
  isBusy(learnerId: string): boolean;
  log(msg: string, err?: unknown): void;
}

/**
 * Background checks for labs that ask for them (`autoCheck: true`), while the learner has the lab open.
 * Each round checks the current step; the delay grows while results stay the same and resets when they change.
 */
export class AutoChecker implements IDisposable {
  private readonly _loops = new Map<string, { timer: NodeJS.Timeout | undefined; level: number; last: string; watchers: number }>();

  constructor(private readonly _deps: AutoCheckDeps) {}

  /** Starts (or joins) the background loop of a learner's lab; dispose the result when the page closes. */
  watch(learnerId: string, labId: string): IDisposable {
    const key = `${learnerId}/${labId}`;
    let loop = this._loops.get(key);
    if (!loop) {
      loop = { timer: undefined, level: 0, last: '', watchers: 0 };
      this._loops.set(key, loop);
      this._schedule(key, learnerId, labId);
    }
    loop.watchers += 1;
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        const l = this._loops.get(key);
        if (!l) return;
        l.watchers -= 1;
        if (l.watchers <= 0) {
          if (l.timer) clearTimeout(l.timer);
          this._loops.delete(key);
        }
      },
    };
  }

  dispose(): void {
    for (const loop of this._loops.values()) if (loop.timer) clearTimeout(loop.timer);
    this._loops.clear();
  }

  private _schedule(key: string, learnerId: string, labId: string): void {
    const loop = this._loops.get(key);
    if (!loop) return;
    const delay = AUTO_CHECK_BACKOFF_MS[Math.min(loop.level, AUTO_CHECK_BACKOFF_MS.length - 1)]!;
    loop.timer = setTimeout(() => void this._round(key, learnerId, labId), delay);
    loop.timer.unref();
  }

  private async _round(key: string, learnerId: string, labId: string): Promise<void> {
    const loop = this._loops.get(key);
    if (!loop) return;
    try {
      if (!this._deps.isBusy(learnerId)) {
        const step = await this._deps.currentStep(learnerId, labId);
        if (step === undefined) return void this._loops.delete(key); // every step passed: nothing left to watch
        const progress = await this._deps.check(learnerId, labId, step);
        const fingerprint = JSON.stringify(progress.steps[step]?.results ?? []);
        loop.level = fingerprint === loop.last ? loop.level + 1 : 0;
        loop.last = fingerprint;
      }
    } catch (err) {
      this._deps.log(`background check of ${key} failed`, err);
      loop.level += 1;
    }
    if (this._loops.get(key) === loop) this._schedule(key, learnerId, labId);
  }
}
