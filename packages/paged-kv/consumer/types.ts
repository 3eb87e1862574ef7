// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import * as tf from '@tensorflow/tfjs';
import {
  KVCacheManager,
  PagedKVStore,
  pagedAttention,
  simulateWorkload,
  type CopyOnWrite,
  type KVCacheStats,
  type PageTable,
  type WorkloadReport,
} from '@prep/paged-kv';

const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4, watermark: 0.01 });
kv.addSequence(0, [1, 2, 3]);
const copy: CopyOnWrite | null = kv.appendToken(0, 4);
const stats: KVCacheStats = kv.stats();
const table: PageTable = kv.toPageTable([0]);
const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 1, headDim: 4 });
const out: tf.Tensor3D = pagedAttention(tf.zeros([1, 2, 4]), store, 0, [0]);
export const grad = tf.grad((x: tf.Tensor) => tf.sum(pagedAttention(x, store, 0, [0])))(tf.zeros([1, 2, 4]));
export const report: Promise<WorkloadReport> = simulateWorkload({ steps: 10 });
export const used = [copy, stats.liveTokens, table.indptr, out.shape];
// @ts-expect-error: the mode must be 'recompute' or 'swap'
kv.preempt(0, 'drop');
