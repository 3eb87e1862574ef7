import { expect, it } from 'vitest';
import { expectBadInputs } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { whiten } from '../../src/index.js';
import { fixture, forLane } from '../fixture.js';
import { t } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function whitenSuite(): void {
  // masked whitening == whitening of the unmasked slice is a property test in properties.node.test.ts
  describeBackends('whiten', (backend) => {
    it('matches numpy (TRL masked_whiten): masks with uneven lengths, shiftMean false, 1-D, an offset of 1e3', async () => {
      for (const c of forLane(fixture.whiten)) {
        const x = t(c.x, c.shape);
        const mask = c.mask ? t(c.mask, c.shape) : undefined;
        const before = numTensors();
        const out = whiten(x, { shiftMean: c.shiftMean, ...(mask ? { mask } : {}) });
        expect(numTensors()).toBe(before + 1);
        // the offset case: x ≈ 1e3 in float32 has an ulp of 6.1e-5, and the float32 mean of ~20 such values
        // (summed in backend-specific order) is off by a few ulps; divided by a std of ~2 that is ≲ 3e-4
        const tol = c.name.includes('offset') ? { atol: 3e-4, rtol: 1e-4 } : { atol: 3e-5, rtol: 3e-5 };
        await expectTensorClose(out, t(c.out, c.shape), tol, c.name);
        tf.dispose([out, x, mask]);
      }
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
}
