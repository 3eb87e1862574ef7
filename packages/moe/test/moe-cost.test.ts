import { describe, expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import { MIXTRAL_8X7B, moeCost, moeVsDense } from '../src/index.js';

describe('moeCost', () => {
  it('counts one MoE layer exactly: 2·dModel·dHidden per expert, dModel·E router, 2 FLOPs per multiply-add', () => {
    const c = moeCost({ dModel: 256, dHidden: 1024, numExperts: 64, k: 2, tokens: 4096 });
    expect(c.expertParams).toBe(64 * 2 * 256 * 1024);
    expect(c.routerParams).toBe(256 * 64);
    expect(c.params).toBe(64 * 2 * 256 * 1024 + 256 * 64);
    expect(c.activeParams).toBe(2 * 2 * 256 * 1024 + 256 * 64);
    expect(c.flopsPerToken).toBe(2 * (2 * 2 * 256 * 1024 + 256 * 64));
    expect(c.totalFlops).toBe(c.flopsPerToken * 4096);
    expect(c.capacity).toBeNull();
    expect(c.expertSlotsPerToken).toBe(2);
  });

  it('a capacity factor pays for padded slots: E·ceil(c·k·T/E)/T slots per token', () => {
    const c = moeCost({ dModel: 8, dHidden: 8, numExperts: 3, k: 1, tokens: 10, capacityFactor: 1.25 });
    expect(c.capacity).toBe(Math.ceil((1.25 * 10) / 3)); // 5
    expect(c.expertSlotsPerToken).toBeCloseTo((3 * 5) / 10, 15);
    expect(c.flopsPerToken).toBeCloseTo(2 * (1.5 * 2 * 64 + 8 * 3), 10);
  });

  it('decouples parameters from FLOPs: E = 64, k = 2 gives ≈ 64× the parameters at ≈ 2× the FLOPs of the dense FFN', () => {
    const r = moeVsDense({ dModel: 4096, dHidden: 16384, numExperts: 64, k: 2, tokens: 1 });
    expect(r.dense.routerParams).toBe(0);
    expect(r.paramsRatio).toBeCloseTo(64 * (1 + 4096 / (2 * 4096 * 16384)), 10);
    expect(r.paramsRatio).toBeGreaterThan(64);
    expect(r.paramsRatio).toBeLessThan(64.01);
    expect(r.flopsRatio).toBeGreaterThan(2);
    expect(r.flopsRatio).toBeLessThan(2.01);
    expect(r.flopsRatio).toBeCloseTo(2.001953125, 12); // TSDoc example
    expect(r.paramsRatio).toBeCloseTo(64.001953125, 12);
    // Same E, k = 1 (Switch): E× parameters at 1× (plus router) FLOPs.
    expect(moeVsDense({ dModel: 512, dHidden: 2048, numExperts: 128, k: 1, tokens: 1 }).flopsRatio).toBeLessThan(1.07);
  });

  it('Mixtral 8×7B from its published config: 46.7 B parameters, 12.9 B active — not 1.8 T, not 56 B', () => {
    const m = moeCost(MIXTRAL_8X7B);
    expect(m.params).toBe(46_702_792_704);
    expect(m.activeParams).toBe(12_879_925_248);
    expect(m.expertParams).toBe(32 * 8 * 3 * 4096 * 14336);
    expect(m.params / 1e9).toBeCloseTo(46.7, 1);
    expect(m.activeParams / 1e9).toBeCloseTo(12.9, 1);
    expect(m.params).toBeLessThan(56e9);
    expect(m.flopsPerToken).toBe(2 * (m.activeParams - MIXTRAL_8X7B.embeddingParams!));
    expect(Object.isFrozen(MIXTRAL_8X7B)).toBe(true);
  });

  it('names the bad option', () => {
    const base = { dModel: 4, dHidden: 4, numExperts: 4, k: 2, tokens: 8 };
    expectThrowsNaming(() => moeCost(undefined as never), 'moeCost', 'dModel', [TypeError]);
    expectThrowsNaming(() => moeCost(3 as never), 'moeCost', 'options', [TypeError]);
    expectThrowsNaming(() => moeCost({ ...base, dModel: 0 }), 'moeCost', 'options.dModel', [RangeError]);
    expectThrowsNaming(() => moeCost({ ...base, dHidden: 1.5 }), 'moeCost', 'options.dHidden', [RangeError]);
    expectThrowsNaming(() => moeCost({ ...base, numExperts: '4' as never }), 'moeCost', 'options.numExperts', [TypeError]);
    expectThrowsNaming(() => moeCost({ ...base, k: 5 }), 'moeCost', 'options.k', [RangeError]);
    expectThrowsNaming(() => moeCost({ ...base, tokens: 0 }), 'moeCost', 'options.tokens', [RangeError]);
    expectThrowsNaming(() => moeCost({ ...base, capacityFactor: -1 }), 'moeCost', 'options.capacityFactor', [RangeError]);
    expectThrowsNaming(() => moeCost({ ...base, gated: 'yes' as never }), 'moeCost', 'options.gated', [TypeError]);
    expectThrowsNaming(() => moeCost({ ...base, layers: 0 }), 'moeCost', 'options.layers', [RangeError]);
    expectThrowsNaming(() => moeCost({ ...base, sharedParams: -5 }), 'moeCost', 'options.sharedParams', [RangeError]);
    expectThrowsNaming(() => moeCost({ ...base, embeddingParams: NaN }), 'moeCost', 'options.embeddingParams', [RangeError]);
  });
});
