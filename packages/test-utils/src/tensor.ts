/**
 * Tensor test helpers: backend lanes, tensor comparison, leak checks.
 *
 * Importing this module imports the umbrella `@tensorflow/tfjs`, which registers the cpu and webgl
 * backends and every built-in gradient (tfjs-core alone registers no gradients in Node). It shares one
 * engine with `@tensorflow/tfjs-core`, which the packages under test import.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, beforeAll, expect } from 'vitest';
import { compareArrays, type Tolerance } from './close.js';

export { tf };

export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/** True inside the browser lane (vitest browser mode). */
export const isBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

/** The backends of the current lane: cpu and wasm in Node, webgl and webgpu in the browser. */
export function laneBackends(): BackendName[] {
  return isBrowser ? ['webgl', 'webgpu'] : ['cpu', 'wasm'];
}

const registered = new Set<BackendName>(['cpu', 'webgl']);

async function ensureRegistered(name: BackendName): Promise<void> {
  if (registered.has(name)) return;
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  registered.add(name);
}

/**
 * Makes `name` the active backend and fails loudly if tfjs fell back to another one
 * (tfjs silently keeps the old backend when `setBackend` fails).
 */
export async function useBackend(name: BackendName): Promise<void> {
  await ensureRegistered(name);
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`useBackend: asked for '${name}' but tfjs runs on '${tf.getBackend()}'`);
  }
  if (name === 'webgl') {
    // Compare against float32 results: SwiftShader supports float textures, insist on them.
    expect(tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'), 'webgl must render float32').toBe(true);
    // By default webgl runs ops on small tensors with the cpu kernels; tests must exercise the shaders.
    tf.env().set('WEBGL_CPU_FORWARD', false);
    // Shapes as uniforms: one compiled program per op instead of one per op and shape (SwiftShader compiles slowly).
    tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  }
  if (name === 'webgpu') {
    // Same for webgpu: no hand-off of small tensors to the cpu kernels.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  }
}

/** Backends each test file has run on; the lane's summary prints these counts. */
export const backendRuns: Record<string, number> = {};

/**
 * Runs the same suite once per backend of the lane (or the given list). Inside, `tf.getBackend()` is
 * asserted to be the backend asked for.
 */
export function describeBackends(
  title: string,
  body: (backend: BackendName) => void,
  backends: readonly BackendName[] = laneBackends(),
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await useBackend(backend);
        backendRuns[backend] = (backendRuns[backend] ?? 0) + 1;
      });
      body(backend);
    });
  }
}

type Numeric = tf.Tensor | ArrayLike<number> | number;

async function toFlat(x: Numeric): Promise<{ values: ArrayLike<number>; shape: number[] | null }> {
  if (x instanceof tf.Tensor) return { values: await x.data(), shape: x.shape };
  if (typeof x === 'number') return { values: [x], shape: null };
  return { values: x, shape: null };
}

/**
 * Asserts `actual` is element-wise within `atol + rtol·|expected|` of `expected`, with equal shapes when
 * both are tensors; a failure names the index of the worst element.
 */
export async function expectTensorClose(
  actual: Numeric,
  expected: Numeric,
  tolerance: Tolerance = { atol: 1e-5, rtol: 1e-5 },
  label = 'tensor',
): Promise<void> {
  const a = await toFlat(actual);
  const e = await toFlat(expected);
  if (a.shape && e.shape) expect(a.shape, `${label}: shape`).toEqual(e.shape);
  expect(a.values.length, `${label}: size`).toBe(e.values.length);
  const report = compareArrays(a.values, e.values, tolerance);
  if (!report.ok) {
    expect.fail(
      `${label}: element ${report.worstIndex} is ${report.worstActual}, expected ${report.worstExpected} ` +
        `(atol ${tolerance.atol ?? 1e-6}, rtol ${tolerance.rtol ?? 1e-6})`,
    );
  }
}

/**
 * Runs `fn`, disposes what it returns, and asserts that the number of live tensors is unchanged.
 * Returns the values read from the result before it was disposed.
 */
export async function expectNoLeak<T extends tf.TensorContainer>(fn: () => T | Promise<T>): Promise<T extends tf.Tensor ? Float32Array | Int32Array | Uint8Array : unknown> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const values = result instanceof tf.Tensor ? await result.data() : undefined;
  tf.dispose(result);
  expect(tf.memory().numTensors, 'live tensors after the op and dispose').toBe(before);
  return values as never;
}

/**
 * Runs `fn` on the active backend and on cpu and asserts equal results. `fn` builds its inputs itself
 * (from plain arrays) so each backend computes from scratch; tensors are disposed.
 */
export async function expectMatchesCpu(
  fn: () => tf.Tensor | tf.Tensor[],
  tolerance: Tolerance = { atol: 1e-4, rtol: 1e-4 },
  label = 'backend vs cpu',
): Promise<void> {
  const backend = tf.getBackend();
  const read = async (): Promise<{ shape: number[]; data: Float32Array | Int32Array | Uint8Array }[]> => {
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const data = await Promise.all(list.map(async (t) => ({ shape: t.shape, data: await t.data() })));
    tf.dispose(list);
    return data;
  };
  const here = await read();
  await useBackend('cpu');
  let onCpu;
  try {
    onCpu = await read();
  } finally {
    await useBackend(backend as BackendName);
  }
  expect(here.length).toBe(onCpu.length);
  for (let i = 0; i < here.length; i++) {
    const h = here[i]!;
    const c = onCpu[i]!;
    expect(h.shape, `${label}: output ${i} shape`).toEqual(c.shape);
    const report = compareArrays(h.data, c.data, tolerance);
    if (!report.ok) {
      expect.fail(
        `${label} [${backend}]: output ${i} element ${report.worstIndex} is ${report.worstActual}, cpu gives ${report.worstExpected}`,
      );
    }
  }
}

/** What {@link profileTensors} measured while `fn` ran. */
export interface TensorProfile {
  /** Peak bytes of live tensors during `fn`, above what was live before (tf.profile's peakBytes). */
  peakBytes: number;
  /** Bytes still allocated by `fn` when it returned (its outputs, unless it disposed them). */
  newBytes: number;
  /** Number of elements of the largest tensor any kernel produced. */
  largestOutputElements: number;
  /** Shape of that tensor. */
  largestOutputShape: number[];
  /** Number of kernels that ran. */
  kernelCount: number;
}

/**
 * Profiles `fn` (forward, or a whole `tf.grad` call) with `tf.profile`: peak memory and the largest tensor
 * any kernel produced. Use it to prove an op never materialises an n×n matrix. The result of `fn` is
 * disposed.
 */
export async function profileTensors(fn: () => tf.TensorContainer): Promise<TensorProfile> {
  let largest = 0;
  let largestShape: number[] = [];
  const info = await tf.profile(() => fn());
  for (const kernel of info.kernels) {
    for (const shape of kernel.outputShapes) {
      const elements = shape.reduce((a, b) => a * b, 1);
      if (elements > largest) {
        largest = elements;
        largestShape = shape;
      }
    }
  }
  tf.dispose(info.result);
  return {
    peakBytes: info.peakBytes,
    newBytes: info.newBytes,
    largestOutputElements: largest,
    largestOutputShape: largestShape,
    kernelCount: info.kernels.length,
  };
}

/** Live-tensor count, for `expectBadInputs({ liveCount })`. */
export function numTensors(): number {
  return tf.memory().numTensors;
}

/** Disposes every tensor in a list of arguments (for `expectBadInputs({ cleanup })`). */
export function disposeArgs(args: unknown[]): void {
  for (const a of args) if (a instanceof tf.Tensor) a.dispose();
}

/**
 * Seeded uniform values in [lo, hi) (mulberry32), so every backend and lane sees the same inputs.
 */
export function seededValues(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

/** A seeded tensor of the given shape with values in [lo, hi). */
export function seededTensor(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(seededValues(size, seed, lo, hi), shape, 'float32');
}
