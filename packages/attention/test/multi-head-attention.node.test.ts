import { expect, it } from 'vitest';
import { describeBackends, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { MultiHeadAttention } from '../src/index.js';

// Training loops are Node-lane only: in the browser lane every optimizer kernel compiles a shader.
describeBackends('MultiHeadAttention training', () => {
  it('trains with a tfjs optimizer for every attention variant (the loss falls), and leaks nothing', async () => {
    for (const attention of ['exact', 'chunked', 'linear', 'sliding-window'] as const) {
      const before = numTensors();
      const mha = new MultiHeadAttention({ modelDim: 8, numHeads: 2, causal: true, attention, window: 4, chunkSize: 3, seed: 1 });
      const x = seededTensor([2, 6, 8], 5);
      const target = seededTensor([2, 6, 8], 6);
      const optimizer = tf.train.adam(0.05);
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, mha.apply(x)), true, mha.trainableWeights)!;
        losses.push((await loss.data())[0]!);
        loss.dispose();
      }
      expect(losses[5]!, `${attention}: ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan(0.85 * losses[0]!);
      optimizer.dispose();
      mha.dispose();
      tf.dispose([x, target]);
      expect(numTensors(), attention).toBe(before);
    }
  });

});
