export { KVCacheManager } from './kv-cache-manager.js';
export type { KVCacheManagerOptions, KVCacheStats, CopyOnWrite, PageTable, ResumeResult } from './kv-cache-manager.js';
export { OutOfBlocksError } from './errors.js';
export { BlockPool } from './block-pool.js';
export { MaxLengthAllocator, FirstFitAllocator } from './contiguous-allocators.js';
export type { ArenaSegment, MaxLengthAllocatorOptions, FirstFitAllocatorOptions } from './contiguous-allocators.js';
export { simulateWorkload } from './simulate-workload.js';
export type {
  SimulateWorkloadOptions,
  WorkloadReport,
  AllocatorReport,
  AllocatorSpec,
  AllocatorTimeline,
  LengthDistribution,
  OccupancySegment,
} from './simulate-workload.js';
export { PagedKVStore } from './paged-kv-store.js';
export type { PagedKVStoreOptions, SwappedKV } from './paged-kv-store.js';
export { pagedAttention, pagedAttentionReference, PAGED_ATTENTION_KERNEL } from './paged-attention.js';
export type { PagedAttentionOptions } from './paged-attention.js';
export { sampleLengths } from './simulate-workload.js';
export { runSourceWorkload, blockSizeSweep } from './source-workload.js';
export type { SourceClaim, SourceAllocatorSummary, SourceWorkloadResult, BlockSizeRow } from './source-workload.js';
