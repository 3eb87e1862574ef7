import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectRejectsNaming, expectThrowsNaming } from '@prep/test-utils';
// imported from the modules (not the index) so this tensor-free suite does not load tfjs
import { labelPreferences } from '../src/label-preferences.js';
import { JudgeError, ensembleJudge, positionSwapJudge, type JudgeVerdict, type PairwiseJudge } from '../src/pairwise-judge.js';

const verdict = (v: JudgeVerdict): PairwiseJudge => () => Promise.resolve(v);
/** A judge that prefers the longer string, with a bias towards slot a. */
const lengthJudge = (slotBias: number): PairwiseJudge => (_p, a, b) => {
  const d = a.length - b.length + slotBias;
  return Promise.resolve(d === 0 ? { preferred: -1 } : { preferred: d > 0 ? 0 : 1, confidence: Math.min(1, Math.abs(d) / 10) });
};

describe('positionSwapJudge', () => {
  it('removes pure position bias: a judge that always picks slot a abstains in both modes', async () => {
    const fair = positionSwapJudge(verdict({ preferred: 0, confidence: 0.8 }));
    expect(await fair('q', 'x', 'y')).toEqual({ preferred: -1, confidence: 0, agreement: 0 });
    const averaged = positionSwapJudge(verdict({ preferred: 0, confidence: 0.8 }), { onDisagreement: 'average' });
    expect(await averaged('q', 'x', 'y')).toEqual({ preferred: -1, confidence: 0, agreement: 0 });
  });

  it('keeps consistent verdicts with the mean confidence and agreement 1', async () => {
    const judge = positionSwapJudge(lengthJudge(0));
    expect(await judge('q', 'longer answer', 'short')).toEqual({ preferred: 0, confidence: 0.8, agreement: 1 });
    expect(await judge('q', 'short', 'longer answer')).toEqual({ preferred: 1, confidence: 0.8, agreement: 1 });
    expect(await judge('q', 'same', 'same')).toEqual({ preferred: -1, confidence: 0, agreement: 1 });
  });

  it("'average' keeps the stronger side with confidence |c₁ − c₂|/2 when the orders disagree", async () => {
    // a is 2 characters longer, slot bias −5: (a, b) → d = −3 → b with 0.3; (b, a) → d = −7 → a (slot b) with 0.7
    const judge = positionSwapJudge(lengthJudge(-5), { onDisagreement: 'average' });
    const out = await judge('q', 'abcd', 'ab');
    expect(out.preferred).toBe(0);
    expect(out.confidence).toBeCloseTo(0.2, 12);
    expect(out.agreement).toBe(0);
    expect(await positionSwapJudge(lengthJudge(-5))('q', 'abcd', 'ab')).toEqual({ preferred: -1, confidence: 0, agreement: 0 });
  });

  it('is symmetric: swapping a and b mirrors the verdict (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), fc.integer({ min: -6, max: 6 }), async (a, b, bias) => {
        for (const onDisagreement of ['abstain', 'average'] as const) {
          const judge = positionSwapJudge(lengthJudge(bias), { onDisagreement });
          const ab = await judge('q', a, b);
          const ba = await judge('q', b, a);
          expect(ba.preferred).toBe(ab.preferred === -1 ? -1 : 1 - ab.preferred);
          expect(ba.confidence).toBeCloseTo(ab.confidence ?? 0, 12);
        }
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it('rejects a malformed verdict naming positionSwapJudge; bad arguments throw synchronously', async () => {
    await expectRejectsNaming(() => positionSwapJudge(verdict({ preferred: 2 as never }))('q', 'a', 'b'), 'positionSwapJudge', 'judge');
    await expectRejectsNaming(() => positionSwapJudge(verdict({ preferred: 0, confidence: 1.5 }))('q', 'a', 'b'), 'positionSwapJudge', 'judge');
    await expectRejectsNaming(() => positionSwapJudge((() => Promise.resolve(null)) as never)('q', 'a', 'b'), 'positionSwapJudge', 'judge');
    expectThrowsNaming(() => positionSwapJudge('judge' as never), 'positionSwapJudge', 'judge', [TypeError]);
    expectThrowsNaming(() => positionSwapJudge(verdict({ preferred: 0 }), { onDisagreement: 'coin' as never }), 'positionSwapJudge', 'options.onDisagreement', [RangeError]);
    expectThrowsNaming(() => positionSwapJudge(verdict({ preferred: 0 }), 3 as never), 'positionSwapJudge', 'options', [TypeError]);
  });
});

describe('ensembleJudge', () => {
  const a9 = verdict({ preferred: 0, confidence: 0.9 });
  const a6 = verdict({ preferred: 0, confidence: 0.6 });
  const b8 = verdict({ preferred: 1, confidence: 0.8 });
  const abstain = verdict({ preferred: -1 });
  const failing: PairwiseJudge = () => Promise.reject(new Error('rate limited'));

  it('majority vote: the winner, its vote share as confidence and as agreement; ties abstain', async () => {
    expect(await ensembleJudge([a9, a6, b8])('q', 'x', 'y')).toEqual({ preferred: 0, confidence: 2 / 3, agreement: 2 / 3 });
    expect(await ensembleJudge([a9, b8])('q', 'x', 'y')).toEqual({ preferred: -1, confidence: 0, agreement: 0 });
    expect(await ensembleJudge([a9, abstain, abstain])('q', 'x', 'y')).toEqual({ preferred: 0, confidence: 1 / 3, agreement: 1 / 3 });
  });

  it('mean confidence: the sign and size of the mean signed confidence', async () => {
    const out = await ensembleJudge([a9, a6, b8], { aggregate: 'mean' })('q', 'x', 'y');
    expect(out.preferred).toBe(0);
    expect(out.confidence).toBeCloseTo((0.9 + 0.6 - 0.8) / 3, 12);
    expect(out.agreement).toBeCloseTo(2 / 3, 12);
    const strongB = await ensembleJudge([a6, verdict({ preferred: 1, confidence: 1 })], { aggregate: 'mean' })('q', 'x', 'y');
    expect(strongB.preferred).toBe(1); // one confident vote outweighs a hesitant one, unlike a majority
  });

  it("failure policy 'skip': failed members are left out while a quorum answers, else a JudgeError", async () => {
    expect(await ensembleJudge([a9, a6, failing])('q', 'x', 'y')).toEqual({ preferred: 0, confidence: 1, agreement: 1 });
    const err = await ensembleJudge([a9, failing, failing])('q', 'x', 'y').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect((err as JudgeError).message).toMatch(/only 1 of 3 judges answered \(quorum 2\); 2 failed, first: rate limited/);
    expect((err as JudgeError).cause).toBeInstanceOf(Error);
    expect(await ensembleJudge([a9, failing, failing], { quorum: 1 })('q', 'x', 'y')).toMatchObject({ preferred: 0 });
  });

  it("failure policy 'throw' names the member; 'abstain' abstains without a quorum", async () => {
    const err = await ensembleJudge([a9, failing], { onFailure: 'throw', quorum: 1 })('q', 'x', 'y').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect((err as JudgeError).index).toBe(1);
    expect((err as JudgeError).message).toContain('judges[1] failed: rate limited');
    expect(await ensembleJudge([failing, failing, a9], { onFailure: 'abstain' })('q', 'x', 'y')).toEqual({ preferred: -1, confidence: 0, agreement: 0 });
  });

  it('validates its arguments synchronously and member verdicts when they arrive', async () => {
    expectThrowsNaming(() => ensembleJudge([]), 'ensembleJudge', 'judges', [RangeError]);
    expectThrowsNaming(() => ensembleJudge('j' as never), 'ensembleJudge', 'judges', [TypeError]);
    expectThrowsNaming(() => ensembleJudge([a9, 5 as never]), 'ensembleJudge', 'judges[1]', [TypeError]);
    expectThrowsNaming(() => ensembleJudge([a9], { aggregate: 'median' as never }), 'ensembleJudge', 'options.aggregate', [RangeError]);
    expectThrowsNaming(() => ensembleJudge([a9], { onFailure: 'retry' as never }), 'ensembleJudge', 'options.onFailure', [RangeError]);
    expectThrowsNaming(() => ensembleJudge([a9, a6], { quorum: 3 }), 'ensembleJudge', 'options.quorum', [RangeError]);
    expectThrowsNaming(() => ensembleJudge([a9, a6], { quorum: 1.5 }), 'ensembleJudge', 'options.quorum', [RangeError]);
    await expectRejectsNaming(() => ensembleJudge([a9, verdict({ preferred: 'a' as never })])('q', 'x', 'y'), 'ensembleJudge', 'judges[1]');
  });
});

describe('labelPreferences', () => {
  const items = [
    { prompt: 'p0', a: 'a long answer', b: 'short', reference: 0 as const },
    { prompt: 'p1', a: 'tie', b: 'tie' },
    { prompt: 'p2', a: 'mid answer', b: 'a much longer answer', reference: 0 as const },
    { prompt: 'p3', a: 'abc', b: 'abcd', reference: 1 as const },
  ];

  it('turns verdicts into chosen/rejected pairs and reports abstention, confidence, agreement statistics', async () => {
    const { pairs, stats, verdicts } = await labelPreferences(items, positionSwapJudge(lengthJudge(0)), { minConfidence: 0.5 });
    expect(pairs).toEqual([
      { index: 0, prompt: 'p0', chosen: 'a long answer', rejected: 'short', confidence: 0.8 },
      { index: 2, prompt: 'p2', chosen: 'a much longer answer', rejected: 'mid answer', confidence: 1 },
    ]);
    expect(stats).toEqual({
      total: 4,
      labeled: 2,
      abstained: 1,
      belowConfidence: 1,
      abstentionRate: 0.5,
      meanConfidence: 0.9,
      meanAgreement: 1,
      referenceCount: 2,
      referenceAgreement: 0.5,
    });
    expect(verdicts.map((v) => v.preferred)).toEqual([0, -1, 1, 1]);
  });

  it('keeps input order and at most `concurrency` calls in flight, whatever the completion order', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: PairwiseJudge = async (prompt) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (7 * Number(prompt)) % 5));
      inFlight--;
      return { preferred: Number(prompt) % 2 === 0 ? 0 : 1 };
    };
    const many = Array.from({ length: 30 }, (_, i) => ({ prompt: String(i), a: `a${i}`, b: `b${i}` }));
    const progress: number[] = [];
    const { pairs } = await labelPreferences(many, slow, { concurrency: 3, onProgress: (p) => progress.push(p.done) });
    expect(peak).toBe(3);
    expect(pairs.map((p) => p.index)).toEqual(many.map((_, i) => i));
    expect(pairs[1]!.chosen).toBe('b1');
    expect(progress).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('retries a failing judge, then rejects with a JudgeError naming the item and keeping the cause', async () => {
    let calls = 0;
    const flaky: PairwiseJudge = () => (++calls % 3 === 0 ? Promise.resolve({ preferred: 0 }) : Promise.reject(new Error('timeout')));
    const ok = await labelPreferences([items[0]!], flaky, { retries: 2 });
    expect(ok.stats.labeled).toBe(1);
    expect(calls).toBe(3);

    let attempts = 0;
    const broken: PairwiseJudge = () => {
      attempts++;
      return Promise.reject(new Error('HTTP 500'));
    };
    const err = await labelPreferences(items, broken, { retries: 1, concurrency: 1, retryDelayMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect((err as JudgeError).message).toBe('labelPreferences: the judge failed on item 0 after 2 attempt(s): HTTP 500');
    expect((err as JudgeError).index).toBe(0);
    expect((err as JudgeError).attempts).toBe(2);
    expect(((err as JudgeError).cause as Error).message).toBe('HTTP 500');
    expect(attempts).toBe(2); // no new item starts after the failure
  });

  it('stops on abort with the signal’s reason and starts no new call', async () => {
    const controller = new AbortController();
    let started = 0;
    const judge: PairwiseJudge = async () => {
      started++;
      if (started === 2) controller.abort(new Error('user cancelled'));
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { preferred: 0 };
    };
    const many = Array.from({ length: 20 }, (_, i) => ({ prompt: 'p', a: `a${i}`, b: 'b' }));
    await expect(labelPreferences(many, judge, { concurrency: 1, signal: controller.signal })).rejects.toThrow('user cancelled');
    expect(started).toBe(2);
    const aborted = AbortSignal.abort();
    await expect(labelPreferences(many, judge, { signal: aborted })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('handles no items and leaves the items untouched', async () => {
    const empty = await labelPreferences([], verdict({ preferred: 0 }));
    expect(empty.stats).toMatchObject({ total: 0, labeled: 0, abstentionRate: 0, meanConfidence: null, meanAgreement: null, referenceAgreement: null });
    const copy = structuredClone(items);
    await labelPreferences(items, verdict({ preferred: 1 }));
    expect(items).toEqual(copy);
  });

  it('names the argument for bad inputs (synchronously) and a malformed verdict (as a rejection)', async () => {
    const judge = verdict({ preferred: 0 });
    expectThrowsNaming(() => labelPreferences('items' as never, judge), 'labelPreferences', 'items', [TypeError]);
    expectThrowsNaming(() => labelPreferences([{ a: 'x' }] as never, judge), 'labelPreferences', 'items[0]', [TypeError]);
    expectThrowsNaming(() => labelPreferences([{ prompt: '', a: '', b: '', reference: 2 }] as never, judge), 'labelPreferences', 'items[0].reference', [RangeError]);
    expectThrowsNaming(() => labelPreferences(items, null as never), 'labelPreferences', 'judge', [TypeError]);
    for (const [field, value] of [
      ['minConfidence', 1.5],
      ['minConfidence', '0.5'],
      ['concurrency', 0],
      ['concurrency', 2.5],
      ['retries', -1],
      ['retryDelayMs', NaN],
      ['signal', {}],
      ['onProgress', 'log'],
    ] as const) {
      expectThrowsNaming(() => labelPreferences(items, judge, { [field]: value }), 'labelPreferences', `options.${field}`);
    }
    await expectRejectsNaming(() => labelPreferences(items, verdict({ preferred: 0, confidence: -1 })), 'labelPreferences', 'judge');
  });
});
