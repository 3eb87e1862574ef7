import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, TinyLM, type TinyLMConfig } from './model.js';

/** The `model.json` of a checkpoint: the tfjs weights manifest plus the model's config. */
export interface CheckpointJSON {
  /** Always 'prep-tiny-lm'. */
  format: 'prep-tiny-lm';
  /** Version of this layout, 1. */
  formatVersion: 1;
  /** The model's sizes. */
  config: TinyLMConfig;
  /** The tokenizer the ids belong to. */
  tokenizer: { kind: 'char'; vocabSize: number };
  /** Free-form facts about the run that produced it (steps, losses, seed, ...). */
  training: Record<string, unknown>;
  /** tfjs weights manifest (the format `tf.io` reads): one group, one binary file. */
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** A checkpoint in memory: the JSON and the bytes of its one weights file. */
export interface Checkpoint {
  /** What goes into `model.json`. */
  json: CheckpointJSON;
  /** What goes into `weights.bin` (float32, little-endian, in manifest order). */
  weightData: ArrayBuffer;
}

/**
 * Serialises a model into the tfjs weights format: a manifest entry per variable (named as
 * {@link TinyLM.namedWeights}) and one binary buffer, the layout `tf.io` and the tfjs converters use.
 * Write `json` to `model.json` and `weightData` to the file named in `json.weightsManifest[0].paths[0]`.
 *
 * @param model - the model
 * @param training - facts to record with it (kept as given)
 * @param weightsPath - file name of the binary (default 'weights.bin')
 * @returns a promise of the checkpoint
 * @throws TypeError when model is not a TinyLM
 * @example
 * ```ts
 * const { json, weightData } = await saveCheckpoint(model, { steps: 600 });
 * const copy = loadCheckpoint(json, weightData); // same logits as model
 * ```
 */
export async function saveCheckpoint(model: TinyLM, training: Record<string, unknown> = {}, weightsPath = 'weights.bin'): Promise<Checkpoint> {
  if (!(model instanceof TinyLM)) throw new TypeError(`saveCheckpoint: 'model' must be a TinyLM; got ${String(model)}`);
  const named = model.namedWeights().map(({ name, variable }) => ({ name, tensor: variable }));
  const { data, specs } = await tf.io.encodeWeights(named);
  return {
    json: {
      format: 'prep-tiny-lm',
      formatVersion: 1,
      config: { ...model.config },
      tokenizer: { kind: 'char', vocabSize: model.config.vocabSize },
      training,
      weightsManifest: [{ paths: [weightsPath], weights: specs }],
    },
    weightData: data,
  };
}

/**
 * Builds a {@link TinyLM} from a checkpoint's JSON and weight bytes.
 *
 * @param json - the parsed `model.json`
 * @param weightData - the bytes of its weights file
 * @returns a new model holding the saved weights (dispose it when done)
 * @throws TypeError when json is not a prep-tiny-lm checkpoint or weightData is not an ArrayBuffer;
 *   RangeError when a weight is missing or has the wrong shape
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const json = JSON.parse(readFileSync('checkpoint/model.json', 'utf8'));
 * const bytes = readFileSync('checkpoint/weights.bin');
 * const model = loadCheckpoint(json, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
 * ```
 */
export function loadCheckpoint(json: CheckpointJSON, weightData: ArrayBuffer): TinyLM {
  const fn = 'loadCheckpoint';
  if (json === null || typeof json !== 'object' || json.format !== 'prep-tiny-lm' || !Array.isArray(json.weightsManifest)) {
    throw new TypeError(`${fn}: 'json' must be a prep-tiny-lm model.json`);
  }
  if (!(weightData instanceof ArrayBuffer)) throw new TypeError(`${fn}: 'weightData' must be an ArrayBuffer; got ${String(weightData)}`);
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const expected = specs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (weightData.byteLength !== expected) {
    throw new RangeError(`${fn}: 'weightData' holds ${weightData.byteLength} bytes; the manifest describes ${expected}`);
  }
  const model = new TinyLM({ ...DEFAULT_CONFIG, ...json.config });
  const tensors = tf.io.decodeWeights(weightData, specs);
  try {
    model.loadWeights(tensors);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return model;
}
