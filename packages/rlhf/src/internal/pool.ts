/** Internal: bounded-concurrency task runner with abort support, for the async RLAIF helpers. */
import { describeError } from './args.js';

/** Throws the signal's reason (an AbortError DOMException unless the caller gave another) when aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** The abort reason as fetch() rejects with it: the signal's reason, or an AbortError DOMException. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason === undefined) return new DOMException('The operation was aborted.', 'AbortError');
  // A caller that aborts with a non-Error reason gets that reason back unchanged, as with fetch().
  return reason as Error;
}

/**
 * Runs `task(i)` for i = 0..count−1 with at most `concurrency` in flight. Rejects with the first task error
 * (no new task starts after it) or with the abort reason as soon as `signal` aborts; tasks already running
 * are not cancelled by this helper (pass the signal on to them to stop them).
 */
export function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let next = 0;
    let running = 0;
    let finished = false;
    const onAbort = (): void => finish(abortReason(signal!));
    function finish(error?: unknown): void {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(describeError(error)));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    function launch(): void {
      while (!finished && running < concurrency && next < count) {
        const index = next++;
        running++;
        task(index).then(
          () => {
            running--;
            if (next >= count && running === 0) finish();
            else launch();
          },
          (err: unknown) => {
            running--;
            finish(err ?? new Error('task failed'));
          },
        );
      }
      if (!finished && count === 0) finish();
    }
    launch();
  });
}

/** Resolves after `ms` milliseconds, or rejects when `signal` aborts first. */
export function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
