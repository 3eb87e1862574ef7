/**
 * The decode-attention inner loops as a tiny WebAssembly module with 128-bit SIMD, assembled here from
 * opcodes (no binary blob, no build step). Two exported functions walk a sequence's block table:
 *
 *   qk(qPtr, kBase, tablePtr, numTokens, blockSize, rowStride, group, dBytes, scoresPtr, scale)
 *     scores[h·numTokens + t] = scale · dot(q[h], K[t])   for the `group` query heads of one KV head
 *   pv(pPtr, vBase, tablePtr, numTokens, blockSize, rowStride, group, dBytes, outPtr)
 *     out[h] += Σ_t p[h·numTokens + t] · V[t]
 *
 * K row t of the sequence lives at kBase + table[t / blockSize]·blockSize·rowStride + (t % blockSize)·rowStride
 * (bytes); the KV head's offset is folded into kBase / vBase. The softmax between the two runs in JS.
 * `dBytes` must be a multiple of 16 (headDim a multiple of 4); the caller falls back to plain JS otherwise.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function str(s: string): number[] {
  return [...u32(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

/** A function body under construction; methods append instructions and return `this`. */
class Body {
  readonly bytes: number[] = [];
  get(i: number): this {
    this.bytes.push(0x20, ...u32(i));
    return this;
  }
  set(i: number): this {
    this.bytes.push(0x21, ...u32(i));
    return this;
  }
  tee(i: number): this {
    this.bytes.push(0x22, ...u32(i));
    return this;
  }
  i32(n: number): this {
    this.bytes.push(0x41, ...s32(n));
    return this;
  }
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...u32(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...u32(depth));
  }
  add(): this {
    return this.op(0x6a);
  }
  mul(): this {
    return this.op(0x6c);
  }
  geU(): this {
    return this.op(0x4f);
  }
  loadI32(): this {
    return this.op(0x28, 2, 0);
  }
  loadF32(): this {
    return this.op(0x2a, 2, 0);
  }
  storeF32(): this {
    return this.op(0x38, 2, 0);
  }
  simd(code: number, ...imm: number[]): this {
    return this.op(0xfd, ...u32(code), ...imm);
  }
  v128Load(offset: number): this {
    return this.simd(0x00, 4, ...u32(offset));
  }
  v128Store(offset: number): this {
    return this.simd(0x0b, 4, ...u32(offset));
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  lane(i: number): this {
    return this.simd(0x1f, i);
  }
  /** `local += step` (i32). */
  bump(local: number, step: number | { local: number }): this {
    this.get(local);
    if (typeof step === 'number') this.i32(step);
    else this.get(step.local);
    return this.add().set(local);
  }
}

function qkBody(): number[] {
  // params: 0 qPtr, 1 kBase, 2 tablePtr, 3 numTokens, 4 blockSize, 5 rowStride, 6 group, 7 dBytes, 8 scoresPtr, 9 scale (f32)
  // locals: 10 t, 11 rowPtr, 12 rowsLeft, 13 h, 14 qh, 15 i, 16 outPtr, 17 blockBytes, 18 dMain, 19 tokBytes, 20-23 acc (v128)
  const b = new Body();
  b.get(4).get(5).mul().set(17);
  b.get(7).i32(-64).op(0x71).set(18); // dMain = dBytes & ~63
  b.get(3).i32(2).op(0x74).set(19); // tokBytes = numTokens << 2
  b.block().loop(); // $done, $blocks
  b.get(10).get(3).geU().brIf(1);
  b.get(1).get(2).loadI32().get(17).mul().add().set(11);
  b.bump(2, 4);
  b.get(4).set(12);
  b.loop(); // $rows
  b.i32(0).set(13);
  b.get(0).set(14);
  b.get(8).get(10).i32(2).op(0x74).add().set(16);
  b.loop(); // $heads
  for (let a = 20; a < 24; a++) b.v128Zero().set(a);
  b.i32(0).set(15);
  b.block().loop(); // 4 × 4 lanes per iteration
  b.get(15).get(18).geU().brIf(1);
  for (let a = 0; a < 4; a++) {
    b.get(20 + a);
    b.get(14).get(15).add().v128Load(16 * a);
    b.get(11).get(15).add().v128Load(16 * a);
    b.f32x4Mul().f32x4Add().set(20 + a);
  }
  b.bump(15, 64).br(0);
  b.end().end();
  b.block().loop(); // tail: 4 lanes per iteration
  b.get(15).get(7).geU().brIf(1);
  b.get(20);
  b.get(14).get(15).add().v128Load(0);
  b.get(11).get(15).add().v128Load(0);
  b.f32x4Mul().f32x4Add().set(20);
  b.bump(15, 16).br(0);
  b.end().end();
  b.get(16); // store address
  b.get(20).get(21).f32x4Add().get(22).get(23).f32x4Add().f32x4Add().set(20);
  b.get(20).lane(0).get(20).lane(1).op(0x92).get(20).lane(2).op(0x92).get(20).lane(3).op(0x92);
  b.get(9).op(0x94);
  b.storeF32();
  b.bump(16, { local: 19 });
  b.bump(14, { local: 7 });
  b.get(13).i32(1).add().tee(13).get(6).op(0x49).brIf(0); // h < group
  b.end(); // $heads
  b.bump(10, 1);
  b.bump(11, { local: 5 });
  b.get(10).get(3).geU().brIf(2);
  b.get(12).i32(1).op(0x6b).tee(12).brIf(0);
  b.end(); // $rows
  b.br(0);
  b.end().end();
  b.end();
  return b.bytes;
}

function pvBody(): number[] {
  // params: 0 pPtr, 1 vBase, 2 tablePtr, 3 numTokens, 4 blockSize, 5 rowStride, 6 group, 7 dBytes, 8 outPtr
  // locals: 9 t, 10 rowPtr, 11 rowsLeft, 12 h, 13 oh, 14 ph, 15 i, 16 blockBytes, 17 tokBytes, 18 addr, 19 dMain, 20 pvec (v128)
  const b = new Body();
  b.get(4).get(5).mul().set(16);
  b.get(3).i32(2).op(0x74).set(17);
  b.get(7).i32(-64).op(0x71).set(19);
  b.block().loop();
  b.get(9).get(3).geU().brIf(1);
  b.get(1).get(2).loadI32().get(16).mul().add().set(10);
  b.bump(2, 4);
  b.get(4).set(11);
  b.loop(); // $rows
  b.i32(0).set(12);
  b.get(8).set(13);
  b.get(0).get(9).i32(2).op(0x74).add().set(14);
  b.loop(); // $heads
  b.get(14).loadF32().f32x4Splat().set(20);
  b.i32(0).set(15);
  b.block().loop();
  b.get(15).get(19).geU().brIf(1);
  b.get(13).get(15).add().set(18);
  for (let a = 0; a < 4; a++) {
    b.get(18);
    b.get(18).v128Load(16 * a);
    b.get(20).get(10).get(15).add().v128Load(16 * a).f32x4Mul();
    b.f32x4Add().v128Store(16 * a);
  }
  b.bump(15, 64).br(0);
  b.end().end();
  b.block().loop();
  b.get(15).get(7).geU().brIf(1);
  b.get(13).get(15).add().tee(18);
  b.get(18).v128Load(0);
  b.get(20).get(10).get(15).add().v128Load(0).f32x4Mul();
  b.f32x4Add().v128Store(0);
  b.bump(15, 16).br(0);
  b.end().end();
  b.bump(13, { local: 7 });
  b.bump(14, { local: 17 });
  b.get(12).i32(1).add().tee(12).get(6).op(0x49).brIf(0);
  b.end(); // $heads
  b.bump(9, 1);
  b.bump(10, { local: 5 });
  b.get(9).get(3).geU().brIf(2);
  b.get(11).i32(1).op(0x6b).tee(11).brIf(0);
  b.end(); // $rows
  b.br(0);
  b.end().end();
  b.end();
  return b.bytes;
}

/** The module's bytes. */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  const qkType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32], [I32], [I32], [F32]]), 0];
  const pvType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32], [I32], [I32]]), 0];
  const memoryImport = [...str('env'), ...str('memory'), 0x02, 0x00, ...u32(1)];
  const qk = qkBody();
  const pv = pvBody();
  const qkCode = [...vec([[...u32(10), I32], [...u32(4), V128]]), ...qk];
  const pvCode = [...vec([[...u32(11), I32], [...u32(1), V128]]), ...pv];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([qkType, pvType])),
    ...section(2, vec([memoryImport])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...str('qk'), 0x00, 0], [...str('pv'), 0x00, 1]])),
    ...section(10, vec([[...u32(qkCode.length), ...qkCode], [...u32(pvCode.length), ...pvCode]])),
  ]);
}

/** The exported functions of an instance. */
export interface KernelExports {
  qk(qPtr: number, kBase: number, tablePtr: number, numTokens: number, blockSize: number, rowStride: number, group: number, dBytes: number, scoresPtr: number, scale: number): void;
  pv(pPtr: number, vBase: number, tablePtr: number, numTokens: number, blockSize: number, rowStride: number, group: number, dBytes: number, outPtr: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly or its SIMD extension is unavailable. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === 'object') {
      const bytes = kernelModuleBytes();
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Instantiates the kernel on `memory`, or returns null where that is impossible. */
export function instantiateKernel(memory: WebAssembly.Memory): KernelExports | null {
  const module = kernelModule();
  if (!module) return null;
  try {
    return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  } catch {
    return null;
  }
}
