/**
 * Internal: a seeded synthetic "image–text" world with shared latent classes. Not exported; the experiments
 * describe it in their docs.
 *
 * Superclasses have centres c_g ~ N(0, I); each class prototype is μ_k = c_g + 0.6·N(0, I), so classes in
 * one superclass are close (the hard negatives a large batch contains more of). An instance has latent
 * z = μ_k + 0.5·N(0, I), shared by both views, so matching a pair needs more than its class. The views are
 * x = tanh(A z) + 0.1·noise (the "image", imageDim) and y = tanh(B z) + 0.1·noise (the "text", textDim)
 * with fixed random A, B. A class's prompts ("templates") are text views of its prototype with fresh noise.
 */
import { Random } from '../internal/random.js';

export interface WorldOptions {
  classes: number;
  superclasses: number;
  latentDim: number;
  imageDim: number;
  textDim: number;
  seed: number;
}

export interface PairBatch {
  image: Float32Array; // [n, imageDim]
  text: Float32Array; // [n, textDim]
  labels: Int32Array; // [n]
}

const CLASS_SPREAD = 0.6;
const INSTANCE_SPREAD = 0.5;
const VIEW_NOISE = 0.1;

export class SyntheticWorld {
  readonly options: WorldOptions;
  private readonly prototypes: Float32Array; // [classes, latentDim]
  private readonly imageMap: Float32Array; // [imageDim, latentDim]
  private readonly textMap: Float32Array; // [textDim, latentDim]

  constructor(options: WorldOptions) {
    this.options = options;
    const rng = new Random(options.seed ^ 0x5eed);
    const { classes, superclasses, latentDim, imageDim, textDim } = options;
    const centres = rng.normals(superclasses * latentDim);
    this.prototypes = new Float32Array(classes * latentDim);
    for (let k = 0; k < classes; k++) {
      const g = k % superclasses;
      for (let d = 0; d < latentDim; d++) this.prototypes[k * latentDim + d] = centres[g * latentDim + d]! + CLASS_SPREAD * rng.normal();
    }
    this.imageMap = rng.normals(imageDim * latentDim, 1.5 / Math.sqrt(latentDim));
    this.textMap = rng.normals(textDim * latentDim, 1.5 / Math.sqrt(latentDim));
  }

  private view(map: Float32Array, outDim: number, z: Float32Array, out: Float32Array, offset: number, rng: Random): void {
    const latentDim = this.options.latentDim;
    for (let o = 0; o < outDim; o++) {
      let acc = 0;
      for (let d = 0; d < latentDim; d++) acc += map[o * latentDim + d]! * z[d]!;
      out[offset + o] = Math.tanh(acc) + VIEW_NOISE * rng.normal();
    }
  }

  /** `n` fresh pairs drawn with `rng`. */
  sample(n: number, rng: Random): PairBatch {
    const { classes, latentDim, imageDim, textDim } = this.options;
    const image = new Float32Array(n * imageDim);
    const text = new Float32Array(n * textDim);
    const labels = new Int32Array(n);
    const z = new Float32Array(latentDim);
    for (let i = 0; i < n; i++) {
      const k = rng.int(classes);
      labels[i] = k;
      for (let d = 0; d < latentDim; d++) z[d] = this.prototypes[k * latentDim + d]! + INSTANCE_SPREAD * rng.normal();
      this.view(this.imageMap, imageDim, z, image, i * imageDim, rng);
      this.view(this.textMap, textDim, z, text, i * textDim, rng);
    }
    return { image, text, labels };
  }

  /** Text views of each class prototype: `[classes, templates, textDim]`, flattened. */
  templates(count: number, rng: Random): Float32Array {
    const { classes, latentDim, textDim } = this.options;
    const out = new Float32Array(classes * count * textDim);
    for (let k = 0; k < classes; k++) {
      const z = this.prototypes.subarray(k * latentDim, (k + 1) * latentDim);
      for (let m = 0; m < count; m++) this.view(this.textMap, textDim, z, out, (k * count + m) * textDim, rng);
    }
    return out;
  }
}
