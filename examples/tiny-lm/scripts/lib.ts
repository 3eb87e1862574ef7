/** Node-side helpers of the scripts: backend, files, checkpoint I/O, README sections, formatting. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, saveCheckpoint, type CheckpointJSON, type TinyLM } from '../src/index.js';

/** The example's folder. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const checkpointDir = join(root, 'checkpoint');
export const corpusPath = join(root, 'data', 'fables.txt');

/** Activates the wasm backend (SIMD, one thread in Node) and checks that tfjs really uses it. */
export async function useWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`expected the wasm backend, tfjs runs on '${tf.getBackend()}'`);
}

/** Reads `--name value` and `--flag` arguments. */
export function args(): { get: (name: string, fallback: number) => number; flag: (name: string) => boolean; text: (name: string, fallback: string) => string } {
  const argv = process.argv.slice(2);
  const find = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    get: (name, fallback) => {
      const value = find(name);
      if (value === undefined) return fallback;
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`--${name} must be a number; got ${value}`);
      return n;
    },
    flag: (name) => argv.includes(`--${name}`),
    text: (name, fallback) => find(name) ?? fallback,
  };
}

/** Writes model.json and weights.bin into `dir`. */
export async function writeCheckpoint(model: TinyLM, training: Record<string, unknown>, dir = checkpointDir): Promise<{ jsonPath: string; binPath: string; bytes: number }> {
  const { json, weightData } = await saveCheckpoint(model, training);
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, 'model.json');
  const binPath = join(dir, json.weightsManifest[0]!.paths[0]!);
  writeFileSync(jsonPath, `${JSON.stringify(json, null, 1)}\n`);
  writeFileSync(binPath, new Uint8Array(weightData));
  return { jsonPath, binPath, bytes: weightData.byteLength };
}

/** Loads the committed checkpoint, or returns null when there is none. */
export function readCheckpoint(dir = checkpointDir): { model: TinyLM; json: CheckpointJSON } | null {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) return null;
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as CheckpointJSON;
  const bytes = readFileSync(join(dir, json.weightsManifest[0]!.paths[0]!));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { model: loadCheckpoint(json, buffer), json };
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in the README. */
export function writeReadmeSection(name: string, content: string): void {
  const path = join(root, 'README.md');
  const text = readFileSync(path, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
  writeFileSync(path, `${text.slice(0, i + start.length)}\n\n${content.trim()}\n\n${text.slice(j)}`);
}

/** 83 s → "1:23". */
export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** 1234 → "1.2k". */
export function compact(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}

/** A percentage with one decimal. */
export function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}
