import type { AbortSignalLike } from '../../server/core/checks.ts';
import type { Deadline, DeadlineFactory } from '../../server/core/grading/checker-registry.ts';

/** Node's deadlines for the checker registry: an AbortController aborted by a timer or by the parent. */
export const nodeDeadlines: DeadlineFactory = (timeoutMs: number, parent?: AbortSignalLike): Deadline => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
};

/** The check's signal as the platform's AbortSignal (what the SDK and fetch take). */
export function abortSignalOf(signal: AbortSignalLike): AbortSignal {
  // The registry always hands out a real AbortSignal (nodeDeadlines); the core only knows the narrow type.
  return signal as AbortSignal;
}
