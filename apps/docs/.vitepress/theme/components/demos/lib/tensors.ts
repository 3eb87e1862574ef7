/** Tensor bookkeeping for the tensor demos: how many tensors a run left behind. */
import type * as TfModule from '@tensorflow/tfjs';

/**
 * Runs `task` and returns its result with the number of tensors it left allocated (0 when it disposed
 * everything it made). The demos show the figure, and the browser tests assert it is 0.
 */
export async function countingTensors<T>(tf: typeof TfModule, task: () => Promise<T>): Promise<{ result: T; leakedTensors: number }> {
  const before = tf.memory().numTensors;
  const result = await task();
  return { result, leakedTensors: tf.memory().numTensors - before };
}
