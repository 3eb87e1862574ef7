/**
 * Writes data/fables.txt, the example's training text: synthetic fables from the seeded grammar in
 * src/fables.ts (our own generated text, no copyrighted or copied material). `pnpm corpus`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateFables } from '../src/fables.js';

const seed = 2024;
const targetChars = 250_000;
const text = generateFables({ seed, targetChars });
const path = fileURLToPath(new URL('../data/fables.txt', import.meta.url));
writeFileSync(path, text);
console.log(`wrote ${path}: ${text.length} characters, ${text.split('\nMoral:').length - 1} fables (seed ${seed})`);
