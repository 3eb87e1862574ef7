/**
 * State shared by every demo: the backend switch, a run/cancel lifecycle with progress, and errors.
 * A demo calls `run(task)`; the task gets tfjs (already on the chosen backend, for tensor demos), an
 * `onProgress(fraction)` callback and an AbortSignal.
 */
import { ref, type Ref } from 'vue';
import type * as TfModule from '@tensorflow/tfjs';
import { preferredBackend, useBackend, type BackendName } from './tfjs';

export type DemoStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface DemoContext {
  tf: typeof TfModule | null;
  onProgress: (fraction: number, note?: string) => void;
  signal: AbortSignal;
}

export interface Demo {
  tensor: boolean;
  backend: Ref<BackendName>;
  status: Ref<DemoStatus>;
  progress: Ref<number>;
  note: Ref<string>;
  error: Ref<string>;
  elapsedMs: Ref<number>;
  run: (task: (ctx: DemoContext) => Promise<void>) => Promise<void>;
  cancel: () => void;
}

export function useDemo({ tensor }: { tensor: boolean }): Demo {
  const backend = ref<BackendName>(tensor ? preferredBackend() : 'cpu');
  const status = ref<DemoStatus>('idle');
  const progress = ref(0);
  const note = ref('');
  const error = ref('');
  const elapsedMs = ref(0);
  let controller: AbortController | null = null;

  async function run(task: (ctx: DemoContext) => Promise<void>): Promise<void> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    status.value = 'running';
    progress.value = 0;
    note.value = '';
    error.value = '';
    const t0 = performance.now();
    try {
      const tf = tensor ? await useBackend(backend.value) : null;
      await task({
        tf,
        signal: own.signal,
        onProgress: (fraction, text) => {
          progress.value = Math.max(0, Math.min(1, fraction));
          if (text !== undefined) note.value = text;
        },
      });
      if (own.signal.aborted) {
        status.value = 'cancelled';
      } else {
        progress.value = 1;
        status.value = 'done';
      }
    } catch (err) {
      if (own.signal.aborted) status.value = 'cancelled';
      else {
        error.value = (err as Error).message;
        status.value = 'error';
      }
    } finally {
      elapsedMs.value = performance.now() - t0;
      if (controller === own) controller = null;
    }
  }

  function cancel(): void {
    controller?.abort();
  }

  return { tensor, backend, status, progress, note, error, elapsedMs, run, cancel };
}

/** Yields to the browser so progress bars repaint during long loops. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
