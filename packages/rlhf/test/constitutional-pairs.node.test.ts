import { describe, expect, it } from 'vitest';
import { expectRejectsNaming, expectThrowsNaming } from '@prep/test-utils';
// imported from the modules (not the index) so this tensor-free suite does not load tfjs
import { ConstitutionalModelError, constitutionalPairs, type ConstitutionalModel } from '../src/constitutional-pairs.js';
import { TOY_CONSTITUTION, TOY_PROMPTS, createToyConstitutionalModel, toyFlawCount } from '../src/toy-constitutional-model.js';

describe('constitutionalPairs with the toy model', () => {
  it('emits prompt, principle, initial, critique, revision with chosen = revision and rejected = initial', async () => {
    const examples = await constitutionalPairs({ prompts: TOY_PROMPTS, principles: TOY_CONSTITUTION, model: createToyConstitutionalModel(), seed: 3 });
    expect(examples).toHaveLength(TOY_PROMPTS.length);
    examples.forEach((ex, i) => {
      expect(ex.prompt).toBe(TOY_PROMPTS[i]);
      expect(TOY_CONSTITUTION).toContain(ex.principle);
      expect(ex.chosen).toBe(ex.revision);
      expect(ex.rejected).toBe(ex.initial);
      // the revision never has more of the principle's flaws than the initial answer
      expect(toyFlawCount(ex.revision, ex.principle.name)).toBeLessThanOrEqual(toyFlawCount(ex.initial, ex.principle.name));
      if (toyFlawCount(ex.initial, ex.principle.name) > 0) {
        expect(ex.critique).toMatch(/^Violations of '/);
        expect(toyFlawCount(ex.revision, ex.principle.name)).toBe(0);
        expect(ex.chosen).not.toBe(ex.rejected);
      } else {
        expect(ex.critique).toMatch(/^No violations/);
      }
    });
    // one principle per example, drawn at random: more than one principle appears
    expect(new Set(examples.map((e) => e.principle.name)).size).toBeGreaterThan(1);
  });

  it('is deterministic in the seed, whatever the concurrency; another seed draws other principles', async () => {
    const model = createToyConstitutionalModel();
    const prompts = [...TOY_PROMPTS, ...TOY_PROMPTS];
    const a = await constitutionalPairs({ prompts, principles: TOY_CONSTITUTION, model, seed: 11, concurrency: 1 });
    const b = await constitutionalPairs({ prompts, principles: TOY_CONSTITUTION, model, seed: 11, concurrency: 8 });
    const c = await constitutionalPairs({ prompts, principles: TOY_CONSTITUTION, model, seed: 12 });
    expect(b).toEqual(a);
    expect(c.map((e) => e.principle.name)).not.toEqual(a.map((e) => e.principle.name));
  });

  it('the toy model repairs each flaw kind under its principle', async () => {
    const model = createToyConstitutionalModel();
    for (const principle of TOY_CONSTITUTION) {
      const prompt = { harmless: TOY_PROMPTS[0]!, polite: TOY_PROMPTS[1]!, honest: TOY_PROMPTS[2]!, concise: TOY_PROMPTS[3]! }[principle.name!]!;
      const initial = await model.generate(prompt);
      expect(toyFlawCount(initial, principle.name), principle.name).toBeGreaterThan(0);
      const critique = await model.critique({ prompt, response: initial, principle });
      const revision = await model.revise({ prompt, response: initial, critique, principle });
      expect(toyFlawCount(revision, principle.name), `${principle.name}: ${revision}`).toBe(0);
    }
    // an unknown principle: the toy model checks every rule
    const unknown = { critic: 'Be good.', revision: 'Be better.' };
    const initial = await model.generate(TOY_PROMPTS[1]!);
    const revision = await model.revise({ prompt: '', response: initial, critique: '', principle: unknown });
    expect(toyFlawCount(revision)).toBe(0);
  });

  it('reports progress, retries a flaky call and names the step and prompt when a call keeps failing', async () => {
    const toy = createToyConstitutionalModel();
    let critiques = 0;
    const flaky: ConstitutionalModel = { ...toy, critique: (input) => (++critiques % 2 === 1 ? Promise.reject(new Error('busy')) : toy.critique(input)) };
    const progress: number[] = [];
    const out = await constitutionalPairs({ prompts: TOY_PROMPTS.slice(0, 3), principles: TOY_CONSTITUTION, model: flaky, seed: 1, concurrency: 1, onProgress: (p) => progress.push(p.done) });
    expect(out).toHaveLength(3);
    expect(progress).toEqual([1, 2, 3]);

    const broken: ConstitutionalModel = { ...toy, revise: () => Promise.reject(new Error('model offline')) };
    const err = await constitutionalPairs({ prompts: TOY_PROMPTS.slice(0, 2), principles: TOY_CONSTITUTION, model: broken, seed: 1, retries: 1, concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConstitutionalModelError);
    expect((err as ConstitutionalModelError).step).toBe('revise');
    expect((err as ConstitutionalModelError).index).toBe(0);
    expect((err as Error).message).toBe('constitutionalPairs: model.revise failed on prompt 0 after 2 attempt(s): model offline');
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      constitutionalPairs({ prompts: TOY_PROMPTS, principles: TOY_CONSTITUTION, model: createToyConstitutionalModel(), seed: 1, signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('names the option for bad inputs; a non-string model answer rejects naming the call', async () => {
    const model = createToyConstitutionalModel();
    const valid = { prompts: ['hi'], principles: TOY_CONSTITUTION, model, seed: 1 };
    expectThrowsNaming(() => constitutionalPairs(undefined as never), 'constitutionalPairs', 'options', [TypeError]);
    for (const [field, value] of [
      ['prompts', 'hi'],
      ['prompts', [1]],
      ['principles', []],
      ['principles', 'be nice'],
      ['model', null],
      ['model', { generate: model.generate, critique: model.critique }],
      ['seed', NaN],
      ['seed', undefined],
      ['concurrency', 0],
      ['retries', 1.5],
      ['signal', 'stop'],
      ['onProgress', 1],
    ] as const) {
      expectThrowsNaming(() => constitutionalPairs({ ...valid, [field]: value }), 'constitutionalPairs', `options.${field}`);
    }
    const numeric: ConstitutionalModel = { ...model, generate: () => Promise.resolve(42 as never) };
    await expectRejectsNaming(() => constitutionalPairs({ ...valid, model: numeric }), 'constitutionalPairs', 'options.model.generate');
  });
});
