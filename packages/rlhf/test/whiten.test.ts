import { expect, it } from 'vitest';
import { expectBadInputs } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectNoLeak, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { whiten } from '../src/index.js';
import { fixture } from './fixture.js';
import { t } from './helpers.js';

describeBackends('whiten', (backend) => {
  it('matches numpy (TRL masked_whiten): masks with uneven lengths, shiftMean false, 1-D, an offset of 1e3', async () => {
    for (const c of fixture.whiten) {
      const x = t(c.x, c.shape);
      const mask = c.mask ? t(c.mask, c.shape) : undefined;
      const before = numTensors();
      const out = whiten(x, { shiftMean: c.shiftMean, ...(mask ? { mask } : {}) });
      expect(numTensors()).toBe(before + 1);
      // the offset case subtracts a mean of ~1e3 in float32 (ulp 6e-5) before dividing by a std of ~2
      const tol = c.name.includes('offset') ? { atol: 1e-4, rtol: 1e-4 } : { atol: 3e-5, rtol: 3e-5 };
      await expectTensorClose(out, t(c.out, c.shape), tol, c.name);
      tf.dispose([out, x, mask]);
    }
  });

  it('masked whitening equals whitening of the unmasked slice', async () => {
    const x = tf.tensor2d([[3, 1, 4, 1], [5, 9, 2, 6]]);
    const mask = tf.tensor2d([[0, 1, 1, 1], [1, 1, 0, 0]]);
    const unmaskedSlice = tf.tensor1d([1, 4, 1, 5, 9]);
    const outMasked = whiten(x, { mask });
    const outSlice = whiten(unmaskedSlice);
    const masked = await outMasked.data();
    const slice = await outSlice.data();
    const real = [masked[1]!, masked[2]!, masked[3]!, masked[4]!, masked[5]!];
    await expectTensorClose(real, slice, { atol: 1e-5, rtol: 1e-5 }, 'real positions');
    expect([masked[0]!, masked[6]!, masked[7]!].map(Math.abs)).toEqual([0, 0, 0]);
    tf.dispose([x, mask, unmaskedSlice, outMasked, outSlice]);
  });

  it('leaks no tensor', async () => {
    const x = tf.tensor2d([[1, 2, 3]]);
    const m = tf.tensor2d([[1, 1, 0]]);
    await expectNoLeak(() => whiten(x));
    await expectNoLeak(() => whiten(x, { mask: m, shiftMean: false }));
    await expectNoLeak(() => whiten([1, 2, 3, 4]));
    tf.dispose([x, m]);
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('whiten bad input', () => {
  it('names the argument for each wrong kind or shape, and leaks nothing', () => {
    const attempts = expectBadInputs({
      fn: whiten,
      fnName: 'whiten',
      validArgs: () => [tf.zeros([2, 3])],
      argNames: ['x', 'options'],
      cases: {
        x: [null, undefined, 'x', 3, tf.scalar(2), tf.zeros([1]), tf.zeros([0, 2])],
        options: [null, 'mask', { mask: tf.ones([3, 2]) }, { mask: [1, 0] }, { mask: 1 }, { shiftMean: 'no' }],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBe(13);
  });
});
