/**
 * Internal: the expert phase of the MoE layer as one differentiable op. Each expert gathers its own
 * tokens, runs act(x·W1)·W2 on them only, and the gate-weighted outputs are scatter-added back to the
 * tokens. The backward pass is written out by hand so that every product is an untransposed matMul on
 * explicitly transposed operands (what XNNPACK runs fast on wasm), every transpose is of activations
 * (never of the E weight matrices), and no product touches a token an expert was not routed to.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The host-side layout of the slots: expert by expert, token order within an expert. */
export interface ExpertSlots {
  /** Experts with at least one slot, in order. */
  active: number[];
  /** Per active expert, the token of each of its slots. */
  tokens: Int32Array[];
  /** All slots' tokens, concatenated in the same order (length N). */
  allTokens: Int32Array;
}

export type Activation = 'relu' | 'gelu';

const GELU_C = Math.sqrt(2 / Math.PI);

function activate(a: tf.Tensor, kind: Activation): tf.Tensor {
  if (kind === 'relu') return tf.relu(a);
  // 0.5·a·(1 + tanh(√(2/π)·(a + 0.044715·a³)))
  const inner = tf.mul(tf.add(a, tf.mul(tf.pow(a, 3), 0.044715)), GELU_C);
  return tf.mul(tf.mul(a, 0.5), tf.add(tf.tanh(inner), 1));
}

function activationGrad(a: tf.Tensor, kind: Activation): tf.Tensor {
  if (kind === 'relu') return tf.step(a);
  const a2 = tf.square(a);
  const th = tf.tanh(tf.mul(tf.add(a, tf.mul(tf.mul(a2, a), 0.044715)), GELU_C));
  const left = tf.mul(tf.add(th, 1), 0.5);
  const right = tf.mul(tf.mul(tf.mul(a, 0.5), tf.sub(1, tf.square(th))), tf.mul(tf.add(tf.mul(a2, 3 * 0.044715), 1), GELU_C));
  return tf.add(left, right);
}

function column(index: Int32Array): tf.Tensor2D {
  return tf.tensor2d(index, [index.length, 1], 'int32');
}

function range(from: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = from + i;
  return out;
}

/**
 * Σ over a token's slots of gate · expert(x): `[T, d]`.
 *
 * @param x - tokens `[T, d]`
 * @param gates - one gate per slot `[N, 1]`, slots in the order of `slots.allTokens`
 * @param slots - the layout
 * @param w1 - W1 `[d, h]` of each active expert
 * @param w2 - W2 `[h, d]` of each active expert
 */
export function expertMixture(
  x: tf.Tensor2D,
  gates: tf.Tensor2D,
  slots: ExpertSlots,
  w1: tf.Tensor2D[],
  w2: tf.Tensor2D[],
  activation: Activation,
): tf.Tensor2D {
  const [tokens, width] = x.shape;
  const count = slots.active.length;
  const offsets: number[] = [];
  let total = 0;
  for (const t of slots.tokens) {
    offsets.push(total);
    total += t.length;
  }
  // Outside a gradient recording the pre-activations are freed expert by expert; inside, they are kept
  // for the backward pass.
  const recording = tf.engine().isTapeOn();
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = inputs[inputs.length - 1] as tf.GradSaveFunc;
    const input = inputs[0] as tf.Tensor2D;
    const gate = inputs[1] as tf.Tensor2D;
    const first = inputs.slice(2, 2 + count) as tf.Tensor2D[];
    const second = inputs.slice(2 + count, 2 + 2 * count) as tf.Tensor2D[];
    const preActivations: tf.Tensor2D[] = [];
    const outputs = slots.tokens.map((index, i) =>
      tf.tidy(() => {
        const pre: tf.Tensor2D = tf.matMul(tf.gatherND(input, column(index)), first[i]!);
        if (recording) preActivations.push(tf.keep(pre));
        return tf.matMul(activate(pre, activation), second[i]!);
      }),
    );
    const expertOut = outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 0);
    if (outputs.length > 1) tf.dispose(outputs);
    const value = tf.tidy(() => tf.scatterND<tf.Rank.R2>(column(slots.allTokens), tf.mul(expertOut, gate), [tokens, width]));
    if (recording) save([input, gate, ...first, ...second, expertOut, ...preActivations]);
    tf.dispose([expertOut, ...preActivations]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedGate] = saved as [tf.Tensor2D, tf.Tensor2D];
        const savedW1 = saved.slice(2, 2 + count) as tf.Tensor2D[];
        const savedW2 = saved.slice(2 + count, 2 + 2 * count) as tf.Tensor2D[];
        const savedOut = saved[2 + 2 * count] as tf.Tensor2D;
        const savedPre = saved.slice(3 + 2 * count) as tf.Tensor2D[];
        return tf.tidy(() => {
          const dWeighted = tf.gatherND(dy, column(slots.allTokens)) as tf.Tensor2D;
          const dGate = tf.sum(tf.mul(dWeighted, savedOut), 1, true);
          const dExpertOut = tf.mul<tf.Tensor2D>(dWeighted, savedGate);
          const dW1: tf.Tensor[] = [];
          const dW2: tf.Tensor[] = [];
          const dInputs = slots.tokens.map((index, i) =>
            tf.tidy(() => {
              const pre = savedPre[i]!;
              const dOut = tf.gatherND(dExpertOut, column(range(offsets[i]!, index.length))) as tf.Tensor2D;
              dW2.push(tf.keep(tf.matMul(tf.transpose(activate(pre, activation)), dOut)));
              // dOut·W2ᵀ computed as (W2·dOutᵀ)ᵀ: the transposes are activation-sized, not weight-sized.
              const dHidden = tf.transpose(tf.matMul(savedW2[i]!, tf.transpose(dOut)));
              const dPre = tf.mul<tf.Tensor2D>(dHidden, activationGrad(pre, activation));
              const xe = tf.gatherND(savedX, column(index)) as tf.Tensor2D;
              dW1.push(tf.keep(tf.matMul(tf.transpose(xe), dPre)));
              return tf.transpose(tf.matMul(savedW1[i]!, tf.transpose(dPre)));
            }),
          );
          const dSorted = dInputs.length === 1 ? dInputs[0]! : tf.concat(dInputs, 0);
          const dX = tf.scatterND(column(slots.allTokens), dSorted, [tokens, width]);
          return [dX, dGate, ...dW1, ...dW2];
        });
      },
    };
  });
  return op(x, gates, ...w1, ...w2);
}
