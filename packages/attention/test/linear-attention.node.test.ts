import { expect, it } from 'vitest';
import { expectArrayClose, expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
import {
  describeBackends,
  disposeArgs,
  expectMatchesCpu,
  expectNoLeak,
  expectTensorClose,
  numTensors,
  seededTensor,
  tf,
} from '@prep/test-utils/tensor';
import {
  LinearAttentionState,
  linearAttention,
  linearAttentionFeatures,
  randomFeatureMatrix,
  type LinearAttentionOptions,
} from '../src/index.js';
import fixture from './fixtures/variants.json';
import { forwardAndGrads, tensorsOf, type GradCase } from './helpers.js';

interface LinearCase extends GradCase {
  featureMap: 'elu' | 'relu' | 'favor+';
  numFeatures: number | null;
  orthogonal: boolean;
  seed: number;
  causal: boolean;
}
interface FeatureCase {
  numFeatures: number;
  headDim: number;
  orthogonal: boolean;
  seed: number;
  matrix: number[];
}
const data = fixture as unknown as { linear: LinearCase[]; features: FeatureCase[] };
const linearCases = data.linear;

const optionsOf = (c: LinearCase): LinearAttentionOptions => ({
  featureMap: c.featureMap,
  causal: c.causal,
  orthogonal: c.orthogonal,
  seed: c.seed,
  ...(c.numFeatures === null ? {} : { numFeatures: c.numFeatures }),
});

/**
 * Masked quadratic linear attention, (φ(Q)φ(K)ᵀ ⊙ M)·V / rowsum, built from the same features: the form
 * that causal linear attention must equal without forming it.
 */
function maskedQuadratic(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, options: LinearAttentionOptions): tf.Tensor {
  return tf.tidy(() => {
    const { queryFeatures, keyFeatures } = linearAttentionFeatures(q, k, options);
    const [batch, headsQ, nQ] = q.shape as number[];
    const [, headsKV, nK] = k.shape as number[];
    const expand = (t: tf.Tensor) =>
      tf.concat(
        Array.from({ length: headsQ! }, (_, h) => tf.slice(t, [0, Math.floor((h * headsKV!) / headsQ!), 0, 0], [-1, 1, -1, -1])),
        1,
      );
    const rows = tf.reshape(tf.range(nK! - nQ!, nK!), [nQ!, 1]);
    const mask = tf.cast(tf.lessEqual(tf.reshape(tf.range(0, nK!), [1, nK!]), rows), 'float32');
    const scores = tf.mul(tf.matMul(queryFeatures, expand(keyFeatures), false, true), mask);
    const epsilon = (options.featureMap ?? 'elu') === 'elu' ? 1e-6 : 0;
    // Rows with no visible key output 0 (as the op); keep them off 0/0.
    const dead = tf.cast(tf.less(rows, 0), 'float32');
    const out = tf.div(tf.matMul(scores, expand(v)), tf.add(tf.add(tf.sum(scores, -1, true), epsilon), dead));
    expect(batch).toBeGreaterThan(0);
    return out;
  });
}

// Fixtures: float64 numpy; the gradients are central finite differences (error ~1e-10). float32 ops:
// outputs within 5e-5, gradients within 5e-4 (FAVOR+ gradients pass through exp of projections).
const forwardTol = { atol: 5e-5, rtol: 5e-5 };
const gradTol = { atol: 5e-4, rtol: 5e-4 };

describeBackends('linearAttention', (backend) => {
  it('matches numpy for ELU+1, ReLU and FAVOR+, causal and not, forward and gradients', async () => {
    expect(linearCases.length).toBeGreaterThanOrEqual(9);
    for (const c of linearCases) {
      const { q, k, v, upstream } = tensorsOf(c);
      const before = numTensors();
      const [out, dq, dk, dv] = forwardAndGrads((a, b, d) => linearAttention(a, b, d, optionsOf(c)), q, k, v, upstream);
      expect(numTensors(), c.name).toBe(before + 4);
      await expectTensorClose(out!, tf.tensor(c.out, out!.shape), forwardTol, `${c.name}: output`);
      await expectTensorClose(dq!, tf.tensor(c.dq, c.qShape), gradTol, `${c.name}: dq`);
      await expectTensorClose(dk!, tf.tensor(c.dk, c.kShape), gradTol, `${c.name}: dk`);
      await expectTensorClose(dv!, tf.tensor(c.dv, c.vShape), gradTol, `${c.name}: dv`);
      tf.dispose([out, dq, dk, dv, q, k, v, upstream]);
    }
  });

  it('causal linear attention equals the masked quadratic form, forward and gradients (rel 1e-5)', async () => {
    // 150 positions: two chunks of the prefix-sum form, the second one partial.
    const n = 150;
    const q = seededTensor([1, 2, n, 8], 21);
    const k = seededTensor([1, 1, n, 8], 22);
    const v = seededTensor([1, 1, n, 4], 23);
    const upstream = seededTensor([1, 2, n, 4], 24);
    for (const featureMap of ['elu', 'relu', 'favor+'] as const) {
      const options: LinearAttentionOptions = { featureMap, numFeatures: 16, causal: true, seed: 5 };
      const ours = forwardAndGrads((a, b, c) => linearAttention(a, b, c, options), q, k, v, upstream);
      const reference = forwardAndGrads((a, b, c) => maskedQuadratic(a, b, c, options), q, k, v, upstream);
      for (let i = 0; i < 4; i++) {
        await expectTensorClose(ours[i]!, reference[i]!, { atol: 1e-5, rtol: 1e-5 }, `${featureMap} ${['out', 'dq', 'dk', 'dv'][i]}`);
      }
      tf.dispose([...ours, ...reference]);
    }
    tf.dispose([q, k, v, upstream]);
  });

  it('the recurrent state equals the causal batch result token by token, and in blocks', async () => {
    const n = 12;
    const q = seededTensor([2, 4, n, 8], 31);
    const k = seededTensor([2, 2, n, 8], 32);
    const v = seededTensor([2, 2, n, 5], 33);
    for (const featureMap of ['elu', 'favor+'] as const) {
      const options = { featureMap, numFeatures: 24, seed: 2 };
      const batch = linearAttention(q, k, v, { ...options, causal: true });
      const state = new LinearAttentionState(options);
      const before = numTensors();
      const steps: tf.Tensor[] = [];
      const slice = (t: tf.Tensor, start: number, size: number) => tf.slice(t, [0, 0, start, 0], [-1, -1, size, -1]);
      for (let t = 0; t < n; t++) steps.push(tf.tidy(() => state.step(slice(q, t, 1), slice(k, t, 1), slice(v, t, 1))));
      expect(numTensors(), 'one output per step; the two state tensors are replaced, not accumulated').toBe(before + n + 2);
      expect(state.length).toBe(n);
      const streamed = tf.concat(steps, 2);
      await expectTensorClose(streamed, batch, { atol: 1e-5, rtol: 1e-5 }, `${featureMap} token by token`);
      // Blocks of 5, 5 and 2 tokens give the same.
      state.reset();
      const blocks = [state.step(slice(q, 0, 5), slice(k, 0, 5), slice(v, 0, 5)), state.step(slice(q, 5, 5), slice(k, 5, 5), slice(v, 5, 5))];
      blocks.push(state.step(slice(q, 10, 2), slice(k, 10, 2), slice(v, 10, 2)));
      await expectTensorClose(tf.concat(blocks, 2), batch, { atol: 1e-5, rtol: 1e-5 }, `${featureMap} in blocks`);
      expect(state.kv!.shape).toEqual([2, 2, featureMap === 'elu' ? 8 : 24, 5]);
      tf.dispose([batch, streamed, ...steps, ...blocks]);
      state.dispose();
    }
    tf.dispose([q, k, v]);
  });

  it('random features: the numpy port of the seeded stream and QR gives the same matrix, on every backend', async () => {
    for (const c of data.features) {
      const omega = randomFeatureMatrix(c.numFeatures, c.headDim, { orthogonal: c.orthogonal, seed: c.seed });
      // float64 in both, stored as float32: equal to float32 rounding.
      await expectTensorClose(omega, tf.tensor(c.matrix, [c.numFeatures, c.headDim]), { atol: 2e-6, rtol: 2e-6 }, `m ${c.numFeatures} d ${c.headDim}`);
      omega.dispose();
    }
  });

  it('orthogonal features are orthogonal within each block to 1e-4, and have χ(d) lengths', async () => {
    const d = 16;
    const omega = randomFeatureMatrix(40, d, { seed: 9 });
    const rows = (await omega.array());
    for (let a = 0; a < rows.length; a++) {
      for (let b = a + 1; b < rows.length; b++) {
        if (Math.floor(a / d) !== Math.floor(b / d)) continue;
        const dot = rows[a]!.reduce((s, x, i) => s + x * rows[b]![i]!, 0);
        const norms = Math.hypot(...rows[a]!) * Math.hypot(...rows[b]!);
        expect(Math.abs(dot / norms), `rows ${a}, ${b}`).toBeLessThan(1e-4);
      }
    }
    // Mean squared length of a χ(d) row is d.
    const meanSq = rows.reduce((s, r) => s + r.reduce((t, x) => t + x * x, 0), 0) / rows.length;
    expect(meanSq).toBeGreaterThan(d / 2);
    expect(meanSq).toBeLessThan(2 * d);
    omega.dispose();
  });

  it('features are positive, rows are convex combinations, and results agree with cpu', async () => {
    const x = seededTensor([1, 2, 9, 8], 41, -3, 3);
    const { queryFeatures, keyFeatures } = linearAttentionFeatures(x, x, { featureMap: 'favor+', numFeatures: 16 });
    expect(Math.min(...(await queryFeatures.data()), ...(await keyFeatures.data()))).toBeGreaterThan(0);
    const eye = tf.tile(tf.reshape(tf.eye(9), [1, 1, 9, 9]), [1, 2, 1, 1]);
    for (const featureMap of ['elu', 'relu', 'favor+'] as const) {
      const probs = linearAttention(x, x, eye, { featureMap, numFeatures: 16, causal: featureMap === 'relu' });
      expectArrayClose(await tf.sum(probs, -1).data(), new Array<number>(18).fill(1), { atol: 1e-5, rtol: 0 }, `${featureMap} rows sum to 1`);
      expect(Math.min(...(await probs.data()))).toBeGreaterThanOrEqual(0);
      tf.dispose(probs);
    }
    tf.dispose([x, eye, queryFeatures, keyFeatures]);
    await expectMatchesCpu(() => {
      const y = seededTensor([1, 2, 11, 8], 42);
      return [linearAttention(y, y, y, { featureMap: 'favor+', numFeatures: 16 }), linearAttention(y, y, y, { causal: true })];
    });
  });

  it('leaks no tensor, forward, gradient and state', async () => {
    const q = seededTensor([1, 2, 5, 4], 51);
    await expectNoLeak(() => linearAttention(q, q, q, { featureMap: 'favor+', numFeatures: 8, causal: true }));
    await expectNoLeak(() => tf.grad((x: tf.Tensor) => tf.sum(linearAttention(x, q, q, { causal: true })))(q));
    const before = numTensors();
    const state = new LinearAttentionState({ featureMap: 'relu', numFeatures: 8 });
    tf.dispose(state.step(q, q, q));
    state.dispose();
    expect(numTensors()).toBe(before);
    q.dispose();
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('linearAttention bad input', () => {
  it('names the argument for each wrong kind, shape or option, and leaks nothing', () => {
    const attempts = expectBadInputs({
      fn: linearAttention,
      fnName: 'linearAttention',
      validArgs: () => [seededTensor([1, 4, 3, 4], 1), seededTensor([1, 2, 3, 4], 2), seededTensor([1, 2, 3, 4], 3)],
      argNames: ['q', 'k', 'v', 'options'],
      cases: {
        q: [null, 'q', tf.zeros([2, 3]), tf.zeros([1, 3, 3, 4]), tf.zeros([1, 2, 3, 5])],
        k: [undefined, tf.zeros([1, 2, 3]), tf.zeros([1, 2, 3, 5])],
        v: [null, tf.zeros([1, 2, 2, 4])],
        options: [
          'elu',
          { featureMap: 'softmax' },
          { featureMap: 3 },
          { numFeatures: 0 },
          { numFeatures: 1.5 },
          { numFeatures: '8' },
          { orthogonal: 'yes' },
          { causal: 0 },
          { seed: 0.5 },
          { seed: '1' },
        ],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBeGreaterThan(15);
  });

  it('the state refuses mismatching steps and leaves itself unchanged', () => {
    const state = new LinearAttentionState({ featureMap: 'elu' });
    const x = seededTensor([1, 2, 1, 4], 1);
    tf.dispose(state.step(x, x, x));
    const kv = state.kv!;
    const wide = seededTensor([1, 2, 1, 6], 2);
    expectThrowsNaming(() => state.step(wide, wide, wide), 'LinearAttentionState.step', 'headDim');
    expectThrowsNaming(() => state.step(x, seededTensor([1, 2, 2, 4], 3), x), 'LinearAttentionState.step', 'v');
    expect(state.length).toBe(1);
    expect(state.kv).toBe(kv);
    expectThrowsNaming(() => new LinearAttentionState({ numFeatures: -1 }), 'LinearAttentionState', 'options.numFeatures');
    state.dispose();
    expectThrowsNaming(() => state.step(x, x, x), 'LinearAttentionState.step', 'disposed', [TypeError]);
    expectThrowsNaming(() => randomFeatureMatrix(0, 4), 'randomFeatureMatrix', 'numFeatures');
    expectThrowsNaming(() => randomFeatureMatrix(4, 4, { seed: 1.5 }), 'randomFeatureMatrix', 'options.seed');
    tf.dispose([x, wide]);
  });
});
