import { expect, it } from 'vitest';
import { expectBadInputs } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectNoLeak, expectTensorClose, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { routerZLoss, squaredDeviationLoss, switchLoadBalancingLoss, topKRouting } from '../src/index.js';
import { fixture } from './helpers.js';

// float32 inputs against float64 references: sums of ≤ 40 terms agree to ~1e-6 relative.
const lossTol = { atol: 1e-6, rtol: 1e-5 };
const gradTol = { atol: 1e-6, rtol: 1e-4 };

describeBackends('MoE losses', (backend) => {
  it(`Hugging Face Switch numbers: balance loss 0.8741045, z-loss 13.786719, masked router 1.000308 / 0.4789799 [${backend}]`, async () => {
    expect(tf.getBackend()).toBe(backend);
    // test_equivalency_balancy_loss: the probabilities are used as given (rows need not sum to 1).
    const probs = tf.tensor2d([
      [0.35490513, 0.60419905],
      [0.4275843, 0.23061597],
      [0.32985854, 0.43953657],
      [0.25099766, 0.27730572],
      [0.7678207, 0.71474564],
    ]);
    const indices = tf.tensor2d([[0], [1], [1], [0], [0]], [5, 1], 'int32');
    await expectTensorClose(switchLoadBalancingLoss(probs, indices), 0.8741045, { atol: 1e-6, rtol: 0 }, 'HF balance loss');
    expect(fixture.hf.switchLoss).toBeCloseTo(0.8741045, 6);
    // test_equivalency_router_z_loss: [2, 6, 4] logits flattened to 12 tokens.
    const logits = tf.tensor2d(
      [
        [-4.2124424, 3.891939, -3.6481273, 1.8849981], [0.32625437, 2.918651, 0.84758997, -4.556842],
        [-3.32062, 4.6977115, -0.15439987, 0.44086337], [3.4467149, 4.3436565, -4.7224274, -4.264637],
        [-2.224406, -2.5318158, -1.3832569, 1.1891162], [-2.320062, -0.44705987, 4.289819, -0.00662684],
        [0.99470854, -0.6992364, 0.25503993, 4.2952085], [3.5937333, -3.2408535, -4.298278, 4.426601],
        [0.7669008, 2.6588762, 2.4505413, 4.6051874], [0.23330331, -3.0845237, 0.6262374, -2.9865491],
        [0.7595146, -2.1099675, -4.155346, -2.8326452], [2.3771453, 1.004138, -3.1781673, 0.7581556],
      ],
    );
    await expectTensorClose(routerZLoss(logits), 13.786719, { atol: 1e-5, rtol: 0 }, 'HF z-loss');
    // test_equivalency_token_chose_masked_router: top-1 router on [2, 3, 4] tokens; HF averages the
    // per-group balance loss over the 2 groups and the z-loss over all 6 tokens.
    const tokens = tf.tensor2d([
      [0.6433916, 0.18188512, 0.02240455, 0.563781], [0.5526401, 0.0958724, 0.34253013, 0.03644359],
      [0.08744538, 0.7909105, 0.35205448, 0.53364205], [0.02900076, 0.4168595, 0.5802449, 0.91486526],
      [0.27414513, 0.14991808, 0.9383501, 0.5209162], [0.51207185, 0.90618336, 0.7309413, 0.95533276],
    ]);
    const classifier = tf.tensor2d([[0.02008116, 0.00620062], [-0.00811031, -0.00031623], [-0.03542127, 0.02703803], [0.02335377, -0.02971946]]);
    const routerLogits = tf.matMul(tokens, classifier);
    const groupLosses = [0, 3].map((start) => {
      const group = tf.slice(routerLogits, [start, 0], [3, 2]);
      const r = topKRouting(group, 1, { capacityFactor: 4 }); // HF expert_capacity 4 ≥ 3 tokens: nothing dropped
      const loss = switchLoadBalancingLoss(r.probs, r.indices);
      tf.dispose([group, r.indices, r.weights, r.probs, r.keep]);
      return loss;
    });
    await expectTensorClose(tf.div(tf.addN(groupLosses), 2), 1.000308, { atol: 1e-6, rtol: 0 }, 'HF masked-router balance loss');
    await expectTensorClose(routerZLoss(routerLogits), 0.4789799, { atol: 1e-6, rtol: 0 }, 'HF masked-router z-loss');
    tf.dispose([probs, indices, logits, tokens, classifier, routerLogits, ...groupLosses]);
  });

  it('match numpy on every loss fixture (values and gradients), with and without padding masks', async () => {
    for (const c of fixture.losses) {
      const probs = tf.tensor2d(c.probs, [c.tokens, c.numExperts]);
      const logits = tf.tensor2d(c.logits, [c.tokens, c.numExperts]);
      const indices = tf.tensor2d(c.indices, [c.tokens, c.k], 'int32');
      const mask = c.mask ? tf.tensor1d(c.mask, 'int32') : undefined;
      const options = mask ? { mask } : {};
      const before = numTensors();
      const sw = switchLoadBalancingLoss(probs, indices, options);
      const sq = squaredDeviationLoss(indices, c.numExperts, options);
      const z = routerZLoss(logits, options);
      expect(numTensors()).toBe(before + 3);
      await expectTensorClose(sw, c.switch, lossTol, `${c.name}: switch`);
      await expectTensorClose(sq, c.squaredDeviation, lossTol, `${c.name}: squared deviation`);
      await expectTensorClose(z, c.zLoss, lossTol, `${c.name}: z-loss`);
      const dProbs = tf.grad((p: tf.Tensor) => switchLoadBalancingLoss(p, indices, options))(probs);
      const dLogits = tf.grad((l: tf.Tensor) => routerZLoss(l, options))(logits);
      await expectTensorClose(dProbs, tf.tensor2d(c.dSwitchDProbs, [c.tokens, c.numExperts]), gradTol, `${c.name}: d switch / d probs`);
      await expectTensorClose(dLogits, tf.tensor2d(c.dZDLogits, [c.tokens, c.numExperts]), gradTol, `${c.name}: d z / d logits`);
      tf.dispose([probs, logits, indices, mask, sw, sq, z, dProbs, dLogits]);
    }
  });

  it('uniform routing gives 1 (top-1) and k (top-k); one expert taking everything gives E·P_0 and (1 − 1/E)²+…', async () => {
    const uniform = tf.fill([8, 4], 0.25);
    const top1 = tf.tensor2d([[0], [1], [2], [3], [0], [1], [2], [3]], [8, 1], 'int32');
    const top2 = tf.tensor2d([[0, 1], [2, 3], [1, 2], [3, 0], [0, 2], [1, 3], [2, 0], [3, 1]], [8, 2], 'int32');
    const collapsed = tf.zeros([8, 1], 'int32');
    await expectTensorClose(switchLoadBalancingLoss(uniform, top1), 1, lossTol, 'uniform top-1');
    await expectTensorClose(switchLoadBalancingLoss(uniform, top2), 2, lossTol, 'uniform top-2');
    await expectTensorClose(switchLoadBalancingLoss(uniform, collapsed), 1, lossTol, 'collapsed choices, uniform probs: E·1·(1/E)');
    await expectTensorClose(squaredDeviationLoss(top1, 4), 0, lossTol, 'even');
    await expectTensorClose(squaredDeviationLoss(collapsed, 4), 0.75, lossTol, 'collapsed (TSDoc example)');
    await expectTensorClose(routerZLoss(tf.zeros([3, 4])), Math.log(4) ** 2, lossTol, 'zero logits (TSDoc example)');
    // All tokens padding: nothing to balance, no NaN.
    const none = tf.zeros([8], 'int32');
    await expectTensorClose(switchLoadBalancingLoss(uniform, top1, { mask: none }), 0, lossTol, 'all padding');
    await expectTensorClose(squaredDeviationLoss(top1, 4, { mask: none }), 0, lossTol, 'all padding');
    await expectTensorClose(routerZLoss(uniform, { mask: none }), 0, lossTol, 'all padding');
    const allReal = tf.ones([8], 'bool');
    await expectNoLeak(() => switchLoadBalancingLoss(uniform, top2, { mask: allReal }));
    await expectNoLeak(() => squaredDeviationLoss(top2, 4));
    await expectNoLeak(() => routerZLoss(uniform));
    tf.dispose([uniform, top1, top2, collapsed, none, allReal]);
  });
});

describeBackends('MoE losses bad input', () => {
  it('name the function and the argument, and leak nothing', () => {
    const attempts =
      expectBadInputs({
        fn: switchLoadBalancingLoss,
        fnName: 'switchLoadBalancingLoss',
        validArgs: () => [seededTensor([4, 3], 1, 0, 1), tf.zeros([4, 2], 'int32')],
        argNames: ['probs', 'indices', 'options'],
        cases: {
          probs: [null, 'p', 3, tf.zeros([4]), tf.zeros([0, 3]), tf.tensor([['a']])],
          indices: [null, {}, tf.zeros([4]), tf.zeros([5, 2], 'int32'), tf.zeros([4, 0], 'int32'), tf.zeros([4, 1], 'bool')],
          options: [3, 'mask', null, { mask: [1, 0] }, { mask: tf.ones([3]) }, { mask: tf.ones([4, 1]) }, { mask: tf.tensor1d(['a', 'b', 'c', 'd']) }],
        },
        cleanup: disposeArgs,
        liveCount: numTensors,
      }) +
      expectBadInputs({
        fn: squaredDeviationLoss,
        fnName: 'squaredDeviationLoss',
        validArgs: () => [tf.zeros([4, 1], 'int32'), 3],
        argNames: ['indices', 'numExperts', 'options'],
        cases: {
          indices: [null, 7, tf.zeros([4]), tf.zeros([0, 1], 'int32')],
          numExperts: [0, -1, 2.5, NaN, '3', null, Infinity],
          options: [1, { mask: tf.ones([5]) }],
        },
        cleanup: disposeArgs,
        liveCount: numTensors,
      }) +
      expectBadInputs({
        fn: routerZLoss,
        fnName: 'routerZLoss',
        validArgs: () => [seededTensor([4, 3], 2)],
        argNames: ['logits', 'options'],
        cases: {
          logits: [undefined, 'z', tf.zeros([4]), tf.zeros([2, 3, 4]), tf.zeros([4, 0])],
          options: [true, { mask: tf.ones([2]) }],
        },
        cleanup: disposeArgs,
        liveCount: numTensors,
      });
    expect(attempts).toBeGreaterThan(30);
  });
});
