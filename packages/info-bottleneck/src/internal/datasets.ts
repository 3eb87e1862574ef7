/** Internal: the synthetic datasets of the experiments, generated in plain TypeScript from a seed. */
import { SeededRandom } from './random.js';

/** Rows of inputs with integer labels. */
export interface Dataset {
  /** Row-major inputs `[rows, features]`. */
  inputs: Float32Array;
  labels: Int32Array;
  rows: number;
  features: number;
  classes: number;
}

/**
 * Every one of the 4096 inputs x ∈ {0,1}¹², in the spirit of Shwartz-Ziv & Tishby's task: the 12 bits sit
 * on the vertices of an icosahedron (unit vectors v_k), and y = 1 when ‖Σ_k x_k v_k‖² > 2.5, a function
 * unchanged by the icosahedron's rotations. The threshold splits the inputs 2060 (y = 0) / 2036 (y = 1).
 * Row i holds the binary digits of i.
 */
export function twelveBitDataset(): Dataset {
  const phi = (1 + Math.sqrt(5)) / 2;
  const norm = Math.sqrt(1 + phi * phi);
  const vertices: [number, number, number][] = [];
  for (const a of [-1, 1]) {
    for (const b of [-phi, phi]) vertices.push([0, a / norm, b / norm], [a / norm, b / norm, 0], [b / norm, 0, a / norm]);
  }
  const rows = 4096;
  const inputs = new Float32Array(rows * 12);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let sx = 0;
    let sy = 0;
    let sz = 0;
    for (let k = 0; k < 12; k++) {
      const bit = (i >> (11 - k)) & 1;
      inputs[i * 12 + k] = bit;
      if (bit) {
        const v = vertices[k]!;
        sx += v[0];
        sy += v[1];
        sz += v[2];
      }
    }
    labels[i] = sx * sx + sy * sy + sz * sz > 2.5 ? 1 : 0;
  }
  return { inputs, labels, rows, features: 12, classes: 2 };
}

/**
 * A Gaussian mixture with nuisance dimensions, for the VIB experiment: `classes` classes, each a blend of
 * two Gaussian blobs in the first `informative` dimensions (centres drawn once from the seed), and
 * `features − informative` dimensions of pure noise that carry nothing about the label. The blobs overlap,
 * so no classifier is perfect.
 */
export function nuisanceMixtureDataset(rows: number, seed: number, { features = 10, informative = 4, classes = 4, spread = 1.6 } = {}): Dataset {
  const centres = new SeededRandom(0x5eed).normals(classes * 2 * informative, spread);
  const random = new SeededRandom(seed);
  const inputs = new Float32Array(rows * features);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const y = Math.floor(random.uniform() * classes);
    const blob = random.uniform() < 0.5 ? 0 : 1;
    labels[r] = y;
    for (let f = 0; f < features; f++) {
      const centre = f < informative ? centres[(y * 2 + blob) * informative + f]! : 0;
      inputs[r * features + f] = centre + random.normal() * 0.8;
    }
  }
  return { inputs, labels, rows, features, classes };
}

/** Rows `indices` of a dataset. */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const inputs = new Float32Array(indices.length * data.features);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    inputs.set(data.inputs.subarray(r * data.features, (r + 1) * data.features), i * data.features);
    labels[i] = data.labels[r]!;
  }
  return { ...data, inputs, labels, rows: indices.length };
}
