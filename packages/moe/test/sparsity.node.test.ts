// The rule of issue 6, proven by measurement: MoELayer runs each expert on its own tokens only. Growing
// E from 8 to 64 (8× the parameters) leaves the matrix-product work and the peak activation memory
// nearly unchanged, and no kernel ever produces a [T, E, dHidden]-sized tensor. Node lane only (sizes).
import { expect, it } from 'vitest';
import { describeBackends, tf } from '@prep/test-utils/tensor';
import { MoELayer } from '../src/index.js';
import { denseDispatchForward } from '../bench/dense-dispatch.js';

interface Measured {
  /** Peak bytes of live tensors above what was live before (tf.profile's peakBytes is absolute). */
  peakBytes: number;
  /** FLOPs of every BatchMatMul kernel, 2·m·n·k each. */
  matmulFlops: number;
  largestElements: number;
}

async function measure(fn: () => tf.TensorContainer): Promise<Measured> {
  const start = tf.memory().numBytes;
  const info = await tf.profile(fn);
  let matmulFlops = 0;
  let largestElements = 0;
  for (const kernel of info.kernels) {
    for (const shape of kernel.outputShapes) largestElements = Math.max(largestElements, shape.reduce((a, b) => a * b, 1));
    if (kernel.name === 'BatchMatMul' || kernel.name === '_FusedMatMul') {
      // a is m×inner (or transposed), b inner×n: the inner size is √(|a|·|b| / (m·n)), transposes or not.
      const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);
      const outSize = size(kernel.outputShapes[0]!);
      const inner = Math.round(Math.sqrt((size(kernel.inputShapes[0]!) * size(kernel.inputShapes[1]!)) / outSize));
      matmulFlops += 2 * outSize * inner;
    }
  }
  tf.dispose(info.result);
  return { peakBytes: info.peakBytes - start, matmulFlops, largestElements };
}

const T = 512;
const dModel = 32;
const dHidden = 128;
const k = 2;

// Kernel shapes and byte counts do not depend on the backend; wasm runs it fastest.
describeBackends('MoELayer computes only the chosen experts', () => {
  it('E = 64 vs E = 8 (k = 2): 8× the parameters, ≈ the same matmul work and peak memory, forward and backward', async () => {
    const x = tf.randomNormal<tf.Rank.R2>([T, dModel], 0, 1, 'float32', 3);
    const results: Record<number, { forward: Measured; training: Measured; params: number }> = {};
    for (const numExperts of [8, 64]) {
      const layer = new MoELayer({ dModel, dHidden, numExperts, k, seed: 1 });
      const forward = await measure(() => {
        const r = layer.apply(x);
        tf.dispose([r.auxLoss, r.zLoss, r.tokensPerExpert]);
        return r.output;
      });
      const training = await measure(() => {
        const g = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }).output), layer.trainableWeights);
        tf.dispose(g.value);
        return Object.values(g.grads);
      });
      results[numExperts] = { forward, training, params: layer.numParams };
      layer.dispose();
    }
    const small = results[8]!;
    const large = results[64]!;
    const expertFlops = 2 * (k * T) * dModel * dHidden * 2; // two products over k·T rows
    const routerFlops = (experts: number) => 2 * T * dModel * experts;
    // Parameters grow ≈ 8×.
    expect(large.params / small.params).toBeGreaterThan(7.9);
    // Forward work: exactly the k·T rows through the experts plus the router, whatever E is.
    expect(small.forward.matmulFlops).toBe(expertFlops + routerFlops(8));
    expect(large.forward.matmulFlops).toBe(expertFlops + routerFlops(64));
    // Only the router grows with E (2·T·dModel·E, here 12.5% of the expert work at E = 64).
    expect(large.forward.matmulFlops / small.forward.matmulFlops).toBeLessThan(1.3);
    // Training (forward + backward): the expert products and their gradient products do not grow either.
    // Training: the router's product, then its two gradient products; each expert's two products, then
    // four gradient products (dW2, dHidden, dW1, dInput), all over the same k·T rows whatever E is.
    const trainingExpertWork = (m: Measured, experts: number) => m.matmulFlops - 3 * routerFlops(experts);
    expect(trainingExpertWork(small.training, 8)).toBe(6 * (expertFlops / 2));
    expect(trainingExpertWork(large.training, 64)).toBe(trainingExpertWork(small.training, 8));
    expect(large.training.matmulFlops / small.training.matmulFlops).toBeLessThan(1.3);
    // Peak activation memory (weights excluded: they were live before) stays within 1.3×.
    const memoryRatio = large.forward.peakBytes / small.forward.peakBytes;
    expect(memoryRatio, `peak ${large.forward.peakBytes} B vs ${small.forward.peakBytes} B`).toBeLessThan(1.3);
    // No tensor as large as one dense [T, E, dHidden] slab, nor even [T, dHidden] per expert summed over E.
    for (const m of [small.forward, large.forward, small.training, large.training]) {
      expect(m.largestElements).toBeLessThanOrEqual(k * T * dHidden);
    }
    x.dispose();
  });

  it('dense one-hot dispatch (the baseline) does E/k times the expert work at E = 64', async () => {
    const x = tf.randomNormal<tf.Rank.R2>([T, dModel], 0, 1, 'float32', 4);
    const layer = new MoELayer({ dModel, dHidden, numExperts: 64, k, seed: 2 });
    const sparse = await measure(() => {
      const r = layer.apply(x);
      tf.dispose([r.auxLoss, r.zLoss, r.tokensPerExpert]);
      return r.output;
    });
    const dense = await measure(() => denseDispatchForward(layer, x));
    expect(dense.matmulFlops / sparse.matmulFlops).toBeGreaterThan(25); // ≈ 64/2 = 32 with the router
    layer.dispose();
    x.dispose();
  });
}, ['wasm']);
