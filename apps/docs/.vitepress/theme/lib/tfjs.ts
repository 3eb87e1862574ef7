/**
 * Loads TensorFlow.js in the browser for the demos: the umbrella package (cpu + webgl + gradients),
 * the wasm backend with its binaries served by this site (no CDN), and the webgpu backend.
 */
import { withBase } from 'vitepress';
import type * as TfModule from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const ALL_BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

type Tf = typeof TfModule;
let loading: Promise<Tf> | null = null;

/** Imports tfjs and registers the wasm and webgpu backends once. */
export function loadTf(): Promise<Tf> {
  loading ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm files are copied into public/tfjs-wasm/ at build time; a prefix ending in '/' tells the
    // backend to load tfjs-backend-wasm{,-simd,-threaded-simd}.wasm from there.
    wasm.setWasmPaths(new URL(withBase('/tfjs-wasm/'), window.location.href).href);
    await import('@tensorflow/tfjs-backend-webgpu');
    return tf;
  })();
  return loading;
}

/** Switches to `name` and fails if tfjs silently fell back to another backend. */
export async function useBackend(name: BackendName): Promise<Tf> {
  const tf = await loadTf();
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch {
    ok = false;
  }
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`The ${name} backend is not available in this browser (tfjs runs on ${tf.getBackend() ?? 'nothing'}).`);
  }
  return tf;
}

/** The backend this browser most likely runs fastest, for a demo's default. */
export function preferredBackend(): BackendName {
  if (typeof navigator !== 'undefined' && 'gpu' in navigator) return 'webgpu';
  return 'webgl';
}
