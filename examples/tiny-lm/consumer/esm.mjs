// Installed-tarball check of the example: pack-install-check.mjs copies the example's src/ next to this
// file, type-checks it against the packed @prep packages (node16 and bundler resolution) and compiles it
// to ./dist; this script then runs the compiled example on the cpu backend.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FABLE_HEADERS, TinyLM, generate, generateContiguous, worstCaseBlocks } from './dist/index.js';

await tf.setBackend('cpu');
const model = new TinyLM({ dModel: 32, numHeads: 4, numKVHeads: 2, numExperts: 4, expertsPerToken: 2, dHidden: 32, numLayers: 2, seed: 3 });
const requests = [
  { prompt: 'Title: The Fox and the Crow\n', n: 2 },
  { prompt: 'Title: The Lion\n', n: 2 },
];
const options = { systemPrompt: FABLE_HEADERS[0], maxNewTokens: 6, temperature: 0, seed: 1 };
const before = tf.memory().numTensors;
const paged = await generate(model, requests, { ...options, numBlocks: 64, blockSize: 16 });
const contiguous = await generateContiguous(model, requests, options);
assert.equal(tf.memory().numTensors, before, 'generate leaks no tensor');
assert.deepEqual(paged.completions.map((c) => c.texts), contiguous.completions.map((c) => c.texts));
assert.equal(paged.stats.generatedTokens, 4 * 6);
// The 59-character system prompt fills 3 blocks of 16: the second request finds them in the prefix cache.
assert.ok(paged.stats.prefixCacheHits >= 3, `prefix cache hits: ${paged.stats.prefixCacheHits}`);
assert.ok(paged.stats.peakUsedBlocks <= worstCaseBlocks(45 + 59, 2, 6, 16, true) * 2);
model.dispose();
console.log(`example tiny-lm ESM ok (paged = contiguous greedy completions, ${paged.stats.prefixCacheHits} prefix-cache hits)`);
