/** Internal: seeded pseudo-random numbers (mulberry32), so every experiment and sampler reproduces. */

/** A seeded generator of uniform numbers in [0, 1). */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Index drawn from the (unnormalized, non-negative) weights. */
  categorical(weights: ArrayLike<number>): number;
}

/** A mulberry32 generator seeded with `seed` (any finite number; its low 32 bits are used). */
export function createRandom(seed: number): Random {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | null = null;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal(): number {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      let u = uniform();
      while (u === 0) u = uniform();
      const v = uniform();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    int(n: number): number {
      return Math.floor(uniform() * n);
    },
    categorical(weights: ArrayLike<number>): number {
      let total = 0;
      for (let i = 0; i < weights.length; i++) total += weights[i]!;
      let u = uniform() * total;
      for (let i = 0; i < weights.length; i++) {
        u -= weights[i]!;
        if (u < 0) return i;
      }
      return weights.length - 1;
    },
  };
}

/** A 32-bit seed derived from several parts (FNV-1a), so independent streams do not depend on call order. */
export function deriveSeed(...parts: readonly (number | string | readonly number[])[]): number {
  let h = 0x811c9dc5;
  const mixByte = (byte: number): void => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  const mixNumber = (x: number): void => {
    const bits = new DataView(new ArrayBuffer(8));
    bits.setFloat64(0, x);
    for (let i = 0; i < 8; i++) mixByte(bits.getUint8(i));
  };
  for (const part of parts) {
    if (typeof part === 'number') mixNumber(part);
    else if (typeof part === 'string') for (let i = 0; i < part.length; i++) mixNumber(part.charCodeAt(i));
    else {
      mixNumber(part.length + 0.5);
      for (const x of part) mixNumber(x);
    }
    mixByte(0x2c);
  }
  return h >>> 0;
}
