import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeBackends, tf } from '@prep/test-utils/tensor';
import { CharTokenizer, evaluate, loadCheckpoint, unigramCrossEntropy, type CheckpointJSON } from '../src/index.js';

const root = join(import.meta.dirname, '..');

describeBackends('the committed checkpoint (pnpm train)', () => {
  it('is clearly better than the unigram baseline on the held-out 5 % of the corpus', async () => {
    const json = JSON.parse(readFileSync(join(root, 'checkpoint', 'model.json'), 'utf8')) as CheckpointJSON;
    const bytes = readFileSync(join(root, 'checkpoint', json.weightsManifest[0]!.paths[0]!));
    const before = tf.memory().numTensors;
    const model = loadCheckpoint(json, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    // The split of scripts/train.ts: the first 95 % trains, the rest validates.
    const tokens = new CharTokenizer().encode(readFileSync(join(root, 'data', 'fables.txt'), 'utf8'));
    const split = Math.floor(tokens.length * 0.95);
    const unigram = unigramCrossEntropy(tokens.subarray(0, split), tokens.slice(split), 96);
    const validation = await evaluate(model, tokens.slice(split), { seqLen: 128, windows: 8, batchSize: 8 });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(unigram).toBeGreaterThan(2.9); // character frequencies of English-like text: ≈ 3 nats
    expect(validation).toBeLessThan(unigram - 0.5);
  });
});
