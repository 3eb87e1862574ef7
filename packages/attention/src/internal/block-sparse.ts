/**
 * Internal: block-sparse attention tile by tile, with a hand-written gradient (tf.customGrad).
 *
 * Tiles are taken in O(tile) work on every backend (see `source`). Slicing tiles out of an O(n) tensor
 * is quadratic on tfjs-backend-wasm, whose Slice kernel copies its whole input out of the heap on every
 * call (SplitV is one Slice per part). Tiles are not differentiable views, which is why
 * the backward pass is written out below (gather, the alternative, has no gradient on wasm). Every product is a
 * rank-2, untransposed `tf.matMul`: the form wasm runs through XNNPACK, several times faster than its
 * batched or transposed products.
 */
import * as tf from '@tensorflow/tfjs-core';

/** What query tile t (rows [t·tile, (t + 1)·tile)) attends: key blocks in order, and an additive bias. */
export interface TilePlan {
  blocks: readonly number[];
  /**
   * Row-major `[tile, blocks.length · block]` additive bias, or null when nothing is masked. Tiles with
   * the same layout should share one array: each distinct array becomes one tensor, made in the forward
   * and again in the backward pass (a tensor of the caller's would be disposed before the gradient runs).
   */
  bias: Float32Array | null;
}

export interface BlockSparseConfig {
  /** Query rows per tile; q has plans.length · tile rows. */
  tile: number;
  /** Key rows per block; k and v have a whole number of blocks. */
  block: number;
  plans: readonly TilePlan[];
  /** Query heads per KV head: query head h reads KV head ⌊h / groupSize⌋. */
  groupSize: number;
  scale: number;
}

/**
 * Softmax attention of each query tile over its key blocks. q `[BQ, rows, d]`, k `[BK, keys, d]`,
 * v `[BK, keys, dv]` → `[BQ, rows, dv + 1]`: each row's output, then (last column) the log-sum-exp of its
 * scaled, biased scores, so that callers can merge further keys exactly. Differentiable in q, k and v
 * (both outputs).
 */
export function blockSparseAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, config: BlockSparseConfig): tf.Tensor3D {
  const op = tf.customGrad(((qq: tf.Tensor3D, kk: tf.Tensor3D, vv: tf.Tensor3D, save: tf.GradSaveFunc) => {
    const value = forward(qq, kk, vv, config);
    save([qq, kk, vv, value]);
    return { value, gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => backward(dy, saved as tf.Tensor3D[], config) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(q, k, v) as tf.Tensor3D;
}

/** A run of rows [start, start + size). */
export interface Range {
  start: number;
  size: number;
}

/** The rows a tile reads from a `[batch, rows, width]` tensor, as fresh `[rows, width]` matrices. */
export interface Source {
  take(matrix: number, ranges: readonly Range[]): tf.Tensor2D;
  dispose(): void;
}

/**
 * On the cpu and wasm backends the tensor is read into JS once and each tile is a new tensor made from a
 * subarray (O(tile) memcpy); elsewhere (GPU backends) a gather, which costs O(tile) there too. (On wasm
 * both Slice, which copies its whole input per call, and GatherV2, ~45 ns per element, are far slower.)
 */
export function source(x: tf.Tensor): Source {
  const n = x.shape[x.rank - 2]!;
  const width = x.shape[x.rank - 1]!;
  const count = (ranges: readonly Range[]): number => ranges.reduce((sum, r) => sum + r.size, 0);
  const backend = tf.getBackend();
  if (backend === 'cpu' || backend === 'wasm') {
    const data = x.dataSync() as Float32Array;
    return {
      take(matrix, ranges) {
        const rows = count(ranges);
        if (ranges.length === 1) {
          const from = (matrix * n + ranges[0]!.start) * width;
          return tf.tensor2d(data.slice(from, from + rows * width), [rows, width]);
        }
        const out = new Float32Array(rows * width);
        let at = 0;
        for (const r of ranges) {
          const from = (matrix * n + r.start) * width;
          out.set(data.subarray(from, from + r.size * width), at);
          at += r.size * width;
        }
        return tf.tensor2d(out, [rows, width]);
      },
      dispose() {},
    };
  }
  const flat = tf.reshape<tf.Rank.R2>(x, [-1, width]);
  return {
    take(matrix, ranges) {
      const idx = new Int32Array(count(ranges));
      let at = 0;
      for (const r of ranges) for (let i = 0; i < r.size; i++) idx[at++] = matrix * n + r.start + i;
      return tf.tidy(() => tf.gather(flat, tf.tensor1d(idx, 'int32')));
    },
    dispose() {
      flat.dispose();
    },
  };
}

/** Query ranges, key ranges (adjacent blocks merged) and bias tensors of every tile. */
interface Plan {
  queries: Range[];
  keys: Range[][];
  biases: (tf.Tensor2D | null)[];
  owned: tf.Tensor[];
}

function plan(config: BlockSparseConfig): Plan {
  const { tile, block, plans } = config;
  const made = new Map<Float32Array, tf.Tensor2D>();
  const biases = plans.map((p) => {
    if (!p.bias) return null;
    let bias = made.get(p.bias);
    if (!bias) {
      bias = tf.tensor2d(p.bias, [tile, p.blocks.length * block]);
      made.set(p.bias, bias);
    }
    return bias;
  });
  const keys = plans.map((p) => {
    const ranges: Range[] = [];
    for (const b of p.blocks) {
      const last = ranges[ranges.length - 1];
      if (last && last.start + last.size === b * block) last.size += block;
      else ranges.push({ start: b * block, size: block });
    }
    return ranges;
  });
  return { queries: plans.map((_, t) => ({ start: t * tile, size: tile })), keys, biases, owned: [...made.values()] };
}

/** log Σ exp(s) per row of a score tile, from its softmax (max p = 1 / Σ exp(s − max s)). */
function rowLogSumExp(scores: tf.Tensor2D, probs: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(tf.max(scores, 1, true), tf.log(tf.max(probs, 1, true)));
}

function forward(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, config: BlockSparseConfig): tf.Tensor3D {
  const { groupSize, scale } = config;
  const BK = k.shape[0];
  const p = plan(config);
  const sources = [source(q), source(k), source(v)];
  const [qs, ks, vs] = sources as [Source, Source, Source];
  const out: tf.Tensor2D[] = [];
  try {
    for (let g = 0; g < BK; g++) {
      for (let i = 0; i < groupSize; i++) {
        const tiles = p.queries.map((rows, t) =>
          tf.tidy(() => {
            const keys = p.keys[t]!;
            const qt = tf.mul<tf.Tensor2D>(qs.take(g * groupSize + i, [rows]), scale);
            let scores: tf.Tensor2D = tf.matMul(qt, tf.transpose(ks.take(g, keys)));
            if (p.biases[t]) scores = tf.add(scores, p.biases[t]);
            const probs = tf.softmax(scores);
            return tf.concat<tf.Tensor2D>([tf.matMul<tf.Tensor2D>(probs, vs.take(g, keys)), rowLogSumExp(scores, probs)], 1);
          }),
        );
        out.push(tiles.length === 1 ? tiles[0]! : tf.concat(tiles, 0));
        if (tiles.length > 1) tf.dispose(tiles);
      }
    }
    return tf.stack(out) as tf.Tensor3D;
  } finally {
    tf.dispose([...out, ...p.owned]);
    for (const s of sources) s.dispose();
  }
}

function backward(dy: tf.Tensor3D, saved: tf.Tensor3D[], config: BlockSparseConfig): tf.Tensor[] {
  const [q, k, v, value] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const { tile, block, plans, groupSize, scale } = config;
  const [BK, keys, d] = k.shape;
  const dv = v.shape[2];
  const numBlocks = keys / block;
  const p = plan(config);
  const sources = [source(q), source(k), source(v), source(dy), source(value)];
  const [qs, ks, vs, dys, outs] = sources as [Source, Source, Source, Source, Source];
  const dQ: tf.Tensor2D[] = [];
  const dK: tf.Tensor2D[] = [];
  const dV: tf.Tensor2D[] = [];
  try {
    for (let g = 0; g < BK; g++) {
      // Transposed accumulators (dKᵀ, dVᵀ per key block) keep every product in the fast, untransposed form.
      const dKT: (tf.Tensor2D | null)[] = new Array<tf.Tensor2D | null>(numBlocks).fill(null);
      const dVT: (tf.Tensor2D | null)[] = new Array<tf.Tensor2D | null>(numBlocks).fill(null);
      for (let i = 0; i < groupSize; i++) {
        const h = g * groupSize + i;
        const dQTiles: tf.Tensor2D[] = [];
        plans.forEach((tilePlan, t) => {
          const [dQt, dKTband, dVTband] = tf.tidy((): tf.Tensor2D[] => {
            const rows = [p.queries[t]!];
            const keyRows = p.keys[t]!;
            const qt = tf.mul<tf.Tensor2D>(qs.take(h, rows), scale);
            const dyt = dys.take(h, rows);
            const dO = tf.slice(dyt, [0, 0], [tile, dv]);
            const dLse = tf.slice(dyt, [0, dv], [tile, 1]);
            const out = tf.slice(outs.take(h, rows), [0, 0], [tile, dv]);
            const kt = ks.take(g, keyRows);
            let scores: tf.Tensor2D = tf.matMul(qt, tf.transpose(kt));
            if (p.biases[t]) scores = tf.add(scores, p.biases[t]);
            const probs = tf.softmax(scores);
            const delta = tf.sum(tf.mul(dO, out), 1, true);
            // dS = P ⊙ (dP − δ + dlse): the softmax's gradient plus the log-sum-exp's (d lse / dS = P).
            const dScores = tf.mul(probs, tf.add(tf.sub(tf.matMul(dO, tf.transpose(vs.take(g, keyRows))), delta), dLse));
            return [
              tf.mul(tf.matMul(dScores, kt), scale),
              tf.matMul(tf.transpose(qt), dScores),
              tf.matMul(tf.transpose(dO), probs),
            ];
          }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          dQTiles.push(dQt);
          tilePlan.blocks.forEach((b, j) => {
            const [nextK, nextV] = tf.tidy((): tf.Tensor2D[] => {
              const single = tilePlan.blocks.length === 1;
              const partK = single ? dKTband.clone() : tf.slice(dKTband, [0, j * block], [d, block]);
              const partV = single ? dVTband.clone() : tf.slice(dVTband, [0, j * block], [dv, block]);
              return [dKT[b] ? tf.add(dKT[b], partK) : partK, dVT[b] ? tf.add(dVT[b], partV) : partV];
            }) as [tf.Tensor2D, tf.Tensor2D];
            if (dKT[b]) dKT[b].dispose();
            if (dVT[b]) dVT[b].dispose();
            dKT[b] = nextK;
            dVT[b] = nextV;
          });
          tf.dispose([dKTband, dVTband]);
        });
        dQ.push(dQTiles.length === 1 ? dQTiles[0]! : tf.concat(dQTiles, 0));
        if (dQTiles.length > 1) tf.dispose(dQTiles);
      }
      const [dKg, dVg] = tf.tidy((): [tf.Tensor2D, tf.Tensor2D] => {
        const fill = (list: (tf.Tensor2D | null)[], width: number): tf.Tensor2D[] =>
          list.map((x) => x ?? tf.zeros<tf.Rank.R2>([width, block]));
        const cat = (list: tf.Tensor2D[]): tf.Tensor2D => (list.length === 1 ? list[0]! : tf.concat(list, 1));
        return [tf.transpose(cat(fill(dKT, d))), tf.transpose(cat(fill(dVT, dv)))];
      });
      tf.dispose([...dKT.filter((x) => x !== null), ...dVT.filter((x) => x !== null)]);
      dK.push(dKg);
      dV.push(dVg);
    }
    return [tf.stack(dQ), tf.stack(dK), tf.stack(dV)];
  } finally {
    tf.dispose([...dQ, ...dK, ...dV, ...p.owned]);
    for (const s of sources) s.dispose();
  }
}
