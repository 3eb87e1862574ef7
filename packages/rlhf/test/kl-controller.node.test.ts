import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectArrayClose, expectThrowsNaming } from '@prep/test-utils';
import { AdaptiveKLController, FixedKLController } from '../src/kl-controller.js'; // tensor-free: skip loading tfjs
import { fixture } from './fixture.js';

describe('FixedKLController', () => {
  it('keeps β whatever the KL', () => {
    const ctl = new FixedKLController(0.05);
    for (const kl of [0, 1, 1e6, -3]) ctl.update(kl, 256);
    expect(ctl.value).toBe(0.05);
  });
  it('validates β and update arguments', () => {
    for (const bad of [-1, NaN, Infinity]) expectThrowsNaming(() => new FixedKLController(bad), 'FixedKLController', 'beta', [RangeError]);
    expectThrowsNaming(() => new FixedKLController('0.1' as never), 'FixedKLController', 'beta', [TypeError]);
    const ctl = new FixedKLController(0.1);
    expectThrowsNaming(() => ctl.update(NaN, 1), 'FixedKLController.update', 'currentKL');
    expectThrowsNaming(() => ctl.update(1, -1), 'FixedKLController.update', 'nSteps');
  });
});

describe('AdaptiveKLController', () => {
  it('matches numpy (TRL AdaptiveKLController) over a sequence of updates', () => {
    const c = fixture.adaptiveKLController;
    const ctl = new AdaptiveKLController({ initKL: c.initKL, target: c.target, horizon: c.horizon });
    const values = c.updates.map(([kl, n]) => {
      ctl.update(kl, n);
      return ctl.value;
    });
    expectArrayClose(values, c.values, { atol: 0, rtol: 1e-14 }, 'β trace');
    expect([ctl.target, ctl.horizon]).toEqual([c.target, c.horizon]);
  });

  it('moves β towards holding the target: up when KL is above, down when below, never more than 20%·n/horizon', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        (initKL, target, kl, n) => {
          const ctl = new AdaptiveKLController({ initKL, target, horizon: 1000 });
          ctl.update(kl, n);
          const ratio = ctl.value / initKL;
          if (kl > target) expect(ratio).toBeGreaterThanOrEqual(1);
          if (kl < target) expect(ratio).toBeLessThanOrEqual(1);
          expect(Math.abs(ratio - 1)).toBeLessThanOrEqual((0.2 * n) / 1000 + 1e-12);
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });

  it('a refused update leaves β unchanged; bad options name the option', () => {
    const ctl = new AdaptiveKLController({ initKL: 0.1, target: 6, horizon: 100 });
    expectThrowsNaming(() => ctl.update(0, 1000), 'AdaptiveKLController.update', 'nSteps', [RangeError]); // 1 − 0.2·10 < 0
    expectThrowsNaming(() => ctl.update(Infinity, 1), 'AdaptiveKLController.update', 'currentKL', [RangeError]);
    expectThrowsNaming(() => ctl.update('1' as never, 1), 'AdaptiveKLController.update', 'currentKL', [TypeError]);
    expect(ctl.value).toBe(0.1);
    const valid = { initKL: 0.1, target: 6, horizon: 100 };
    for (const [field, value] of [['initKL', 0], ['target', -1], ['horizon', NaN], ['horizon', '1'], ['initKL', undefined]] as const) {
      expectThrowsNaming(() => new AdaptiveKLController({ ...valid, [field]: value }), 'AdaptiveKLController', `options.${field}`);
    }
    expectThrowsNaming(() => new AdaptiveKLController(undefined as never), 'AdaptiveKLController', 'options', [TypeError]);
  });
});
