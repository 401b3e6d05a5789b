import type { WasmBackend } from './internals';

/**
 * A few data-movement loops as a tiny hand-assembled WebAssembly SIMD module that imports the
 * wasm backend's own memory, so it works on tensors in place on the heap (no JS round trips):
 * - `transpose`: [rows, cols] → [cols, rows] on 4×4 register tiles (i8x16.shuffle), in strips
 *   of 64 source rows walked left to right, so each destination row gets 256 contiguous bytes
 *   at once. Strips of 32 columns kept 32 destination lines open; with 2,048 rows their stride
 *   is 8 KB, they all fell in one L1 set, and [2048, 704] ran at 1.7 ns per element; now
 *   0.5 ns, like [64, 256, 256] (memory speed). JS element loops ran at ~3.6 ns per element.
 * - `colSum`: out[c] += Σ_r x[r, c] over whole rows (f32x4 adds, rows in order), i.e. a sum
 *   over leading axes, which the stock kernel does as a full transpose then a row reduction.
 * - `adamw`: the whole AdamW update of one parameter in one pass (instead of ~12 kernels).
 * - `softmaxGrad`: the softmax backward of whole rows in two passes (instead of 4 kernels).
 * Each covers the part of the array that is a multiple of 4 wide and callers finish the edges,
 * except `softmaxGrad`, which takes rows whose length is a multiple of 4 (its caller runs a JS
 * loop for other lengths).
 * The module is built from bytes below (no toolchain); it needs the memory object, which the
 * threaded build exposes as `wasmMemory` and the single-threaded one as `asm.memory`.
 */

export interface SimdKernels {
  /** Transposes the [rows4, cols4] top-left block: byte offsets, counts in elements. */
  transpose(
    src: number,
    dst: number,
    rows: number,
    cols: number,
    rows4: number,
    cols4: number,
  ): void;
  /**
   * Softmax backward over whole rows of `cols` (a multiple of 4): dx = y·(dy − Σ_c y·dy), the
   * dot product per row in 4 lanes added ((l0 + l1) + (l2 + l3)). Byte offsets.
   */
  softmaxGrad(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /** dst[c] += Σ_r src[r, c] for c < cols4 (byte offsets; src is [rows, cols]). */
  colSum(src: number, dst: number, rows: number, cols: number, cols4: number): void;
  /**
   * One AdamW update of the first n4 elements (a multiple of 4): m' = β1·m + (1−β1)·g;
   * v' = β2·v + (1−β2)·g²; p' = p·decay − (m' / (√v' / bc2Sqrt + eps))·step. Byte offsets.
   */
  adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    pOut: number,
    mOut: number,
    vOut: number,
    n4: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    decay: number,
    step: number,
    bc2Sqrt: number,
    eps: number,
  ): void;
}

// --- a minimal assembler -------------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
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

const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  add: [0x6a],
  mul: [0x6c],
  shl: [0x74],
  ltU: [0x49],
  geU: [0x4f],
  select: [0x1b],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  end: [0x0b],
  load: [0xfd, ...uleb(0), 0, 0], // v128.load align=1 offset=0
  store: [0xfd, ...uleb(11), 0, 0], // v128.store
  f32Const0: [0x43, 0, 0, 0, 0],
  f32Add: [0x92],
  /** f32x4.extract_lane */
  lane: (l: number) => [0xfd, ...uleb(31), l],
  f32x4Splat: [0xfd, ...uleb(19)],
  f32x4Sqrt: [0xfd, ...uleb(227)],
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Sub: [0xfd, ...uleb(229)],
  f32x4Mul: [0xfd, ...uleb(230)],
  f32x4Div: [0xfd, ...uleb(231)],
  /** i8x16.shuffle picking f32 lanes (0–3 from the first operand, 4–7 from the second). */
  shuffle: (lanes: number[]) => [
    0xfd,
    ...uleb(13),
    ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  ],
};

/** `for (; local < limit; ) { body }` where the body advances `local` itself. */
function whileLt(local: number, limit: number[], body: number[]): number[] {
  return [
    ...op.block,
    ...op.loop,
    ...op.get(local),
    ...limit,
    ...op.geU,
    ...op.brIf(1),
    ...body,
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

const addTo = (local: number, amount: number[]): number[] => [
  ...op.get(local),
  ...amount,
  ...op.add,
  ...op.set(local),
];

/** Source rows per strip of the transpose: its destination lines are written whole. */
const TRANSPOSE_STRIP_ROWS = 64;

function transposeBody(): number[] {
  // params: 0 src, 1 dst, 2 rows, 3 cols, 4 rows4, 5 cols4 (byte offsets / element counts)
  const [src, dst, rows, cols, rows4, cols4] = [0, 1, 2, 3, 4, 5];
  // i32 locals 6..13, v128 locals 14..21
  const [r0, rEnd, c, sp, dp, r, cs, rs] = [6, 7, 8, 9, 10, 11, 12, 13];
  const [v0, v1, v2, v3, t0, t1, t2, t3] = [14, 15, 16, 17, 18, 19, 20, 21];
  const loadRow = (k: number, v: number) => [
    ...op.get(sp),
    ...(k === 0 ? [] : [...op.get(cs), ...op.i32(k), ...op.mul, ...op.add]),
    ...op.load,
    ...op.set(v),
  ];
  const shuffleTo = (a: number, b: number, lanes: number[], out: number) => [
    ...op.get(a),
    ...op.get(b),
    ...op.shuffle(lanes),
    ...op.set(out),
  ];
  const storeRow = (k: number, a: number, b: number, lanes: number[]) => [
    ...op.get(dp),
    ...(k === 0 ? [] : [...op.get(rs), ...op.i32(k), ...op.mul, ...op.add]),
    ...op.get(a),
    ...op.get(b),
    ...op.shuffle(lanes),
    ...op.store,
  ];
  const lo = [0, 4, 1, 5];
  const hi = [2, 6, 3, 7];
  const first = [0, 1, 4, 5];
  const second = [2, 3, 6, 7];
  // One 4×4 tile at (r, c): 4 source rows of 4 → 4 destination rows of 4; then 4 rows down.
  const tiles = whileLt(r, op.get(rEnd), [
    ...loadRow(0, v0),
    ...loadRow(1, v1),
    ...loadRow(2, v2),
    ...loadRow(3, v3),
    ...shuffleTo(v0, v1, lo, t0), // a0 b0 a1 b1
    ...shuffleTo(v0, v1, hi, t1), // a2 b2 a3 b3
    ...shuffleTo(v2, v3, lo, t2), // c0 d0 c1 d1
    ...shuffleTo(v2, v3, hi, t3), // c2 d2 c3 d3
    ...storeRow(0, t0, t2, first), // a0 b0 c0 d0
    ...storeRow(1, t0, t2, second),
    ...storeRow(2, t1, t3, first),
    ...storeRow(3, t1, t3, second),
    ...addTo(sp, [...op.get(cs), ...op.i32(2), ...op.shl]),
    ...addTo(dp, op.i32(16)),
    ...addTo(r, op.i32(4)),
  ]);
  const colLoop = whileLt(c, op.get(cols4), [
    // sp = src + (r0·cols + c)·4; dp = dst + (c·rows + r0)·4; r = r0
    ...op.get(src),
    ...op.get(r0),
    ...op.get(cols),
    ...op.mul,
    ...op.get(c),
    ...op.add,
    ...op.i32(2),
    ...op.shl,
    ...op.add,
    ...op.set(sp),
    ...op.get(dst),
    ...op.get(c),
    ...op.get(rows),
    ...op.mul,
    ...op.get(r0),
    ...op.add,
    ...op.i32(2),
    ...op.shl,
    ...op.add,
    ...op.set(dp),
    ...op.get(r0),
    ...op.set(r),
    ...tiles,
    ...addTo(c, op.i32(4)),
  ]);
  const code = [
    ...op.get(cols),
    ...op.i32(2),
    ...op.shl,
    ...op.set(cs),
    ...op.get(rows),
    ...op.i32(2),
    ...op.shl,
    ...op.set(rs),
    ...whileLt(r0, op.get(rows4), [
      // rEnd = min(r0 + STRIP, rows4)
      ...op.get(r0),
      ...op.i32(TRANSPOSE_STRIP_ROWS),
      ...op.add,
      ...op.get(rows4),
      ...op.get(r0),
      ...op.i32(TRANSPOSE_STRIP_ROWS),
      ...op.add,
      ...op.get(rows4),
      ...op.ltU,
      ...op.select,
      ...op.set(rEnd),
      ...op.i32(0),
      ...op.set(c),
      ...colLoop,
      ...addTo(r0, op.i32(TRANSPOSE_STRIP_ROWS)),
    ]),
    ...op.end,
  ];
  const locals = vec([
    [...uleb(8), I32],
    [...uleb(8), V128],
  ]);
  return [...locals, ...code];
}

function colSumBody(): number[] {
  // params: 0 src, 1 dst, 2 rows, 3 cols, 4 cols4; locals 5 r, 6 cb, 7 sp, 8 bytes4
  const [src, dst, rows, cols, cols4] = [0, 1, 2, 3, 4];
  const [r, cb, sp, bytes4] = [5, 6, 7, 8];
  const inner = whileLt(cb, op.get(bytes4), [
    ...op.get(dst),
    ...op.get(cb),
    ...op.add,
    ...op.get(dst),
    ...op.get(cb),
    ...op.add,
    ...op.load,
    ...op.get(sp),
    ...op.get(cb),
    ...op.add,
    ...op.load,
    ...op.f32x4Add,
    ...op.store,
    ...addTo(cb, op.i32(16)),
  ]);
  const code = [
    ...op.get(cols4),
    ...op.i32(2),
    ...op.shl,
    ...op.set(bytes4),
    ...op.get(src),
    ...op.set(sp),
    ...whileLt(r, op.get(rows), [
      ...op.i32(0),
      ...op.set(cb),
      ...inner,
      ...addTo(sp, [...op.get(cols), ...op.i32(2), ...op.shl]),
      ...addTo(r, op.i32(1)),
    ]),
    ...op.end,
  ];
  return [...vec([[...uleb(4), I32]]), ...code];
}

function adamwBody(): number[] {
  // params: 0 p, 1 g, 2 m, 3 v, 4 pOut, 5 mOut, 6 vOut, 7 n4 (i32); 8..15 f32 scalars
  const [p, g, m, v, pOut, mOut, vOut, n4] = [0, 1, 2, 3, 4, 5, 6, 7];
  // locals: 16 off, 17 end (i32); 18..25 splats, 26 gv, 27 mv, 28 vv (v128)
  const [off, end] = [16, 17];
  const splat = (k: number) => 18 + k; // of scalar param 8 + k
  const [b1, omb1, b2, omb2, decay, step, bc2, eps] = [0, 1, 2, 3, 4, 5, 6, 7].map(splat) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [gv, mv, vv] = [26, 27, 28];
  const at = (base: number) => [...op.get(base), ...op.get(off), ...op.add];
  const code = [
    ...op.get(n4),
    ...op.i32(2),
    ...op.shl,
    ...op.set(end),
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [
      ...op.get(8 + k),
      ...op.f32x4Splat,
      ...op.set(splat(k)),
    ]),
    ...whileLt(off, op.get(end), [
      ...at(g),
      ...op.load,
      ...op.set(gv),
      // m' = m·β1 + g·(1−β1)
      ...at(m),
      ...op.load,
      ...op.get(b1),
      ...op.f32x4Mul,
      ...op.get(gv),
      ...op.get(omb1),
      ...op.f32x4Mul,
      ...op.f32x4Add,
      ...op.set(mv),
      ...at(mOut),
      ...op.get(mv),
      ...op.store,
      // v' = v·β2 + g²·(1−β2)
      ...at(v),
      ...op.load,
      ...op.get(b2),
      ...op.f32x4Mul,
      ...op.get(gv),
      ...op.get(gv),
      ...op.f32x4Mul,
      ...op.get(omb2),
      ...op.f32x4Mul,
      ...op.f32x4Add,
      ...op.set(vv),
      ...at(vOut),
      ...op.get(vv),
      ...op.store,
      // p' = p·decay − (m' / (√v' / bc2 + eps))·step
      ...at(pOut),
      ...at(p),
      ...op.load,
      ...op.get(decay),
      ...op.f32x4Mul,
      ...op.get(mv),
      ...op.get(vv),
      ...op.f32x4Sqrt,
      ...op.get(bc2),
      ...op.f32x4Div,
      ...op.get(eps),
      ...op.f32x4Add,
      ...op.f32x4Div,
      ...op.get(step),
      ...op.f32x4Mul,
      ...op.f32x4Sub,
      ...op.store,
      ...addTo(off, op.i32(16)),
    ]),
    ...op.end,
  ];
  const locals = vec([
    [...uleb(2), I32],
    [...uleb(11), V128],
  ]);
  return [...locals, ...code];
}

function softmaxGradBody(): number[] {
  // params: 0 y, 1 dy, 2 dx, 3 rows, 4 cols; locals 5 r, 6 off, 7 rowBytes (i32), 8 acc, 9 dot (v128)
  const [y, dy, dx, rows, cols] = [0, 1, 2, 3, 4];
  const [r, off, rowBytes, acc, dot] = [5, 6, 7, 8, 9];
  const at = (base: number) => [...op.get(base), ...op.get(off), ...op.add];
  const code = [
    ...op.get(cols),
    ...op.i32(2),
    ...op.shl,
    ...op.set(rowBytes),
    ...whileLt(r, op.get(rows), [
      ...op.f32Const0,
      ...op.f32x4Splat,
      ...op.set(acc),
      ...op.i32(0),
      ...op.set(off),
      ...whileLt(off, op.get(rowBytes), [
        ...op.get(acc),
        ...at(y),
        ...op.load,
        ...at(dy),
        ...op.load,
        ...op.f32x4Mul,
        ...op.f32x4Add,
        ...op.set(acc),
        ...addTo(off, op.i32(16)),
      ]),
      // dot = (l0 + l1) + (l2 + l3), splatted
      ...op.get(acc),
      ...op.lane(0),
      ...op.get(acc),
      ...op.lane(1),
      ...op.f32Add,
      ...op.get(acc),
      ...op.lane(2),
      ...op.get(acc),
      ...op.lane(3),
      ...op.f32Add,
      ...op.f32Add,
      ...op.f32x4Splat,
      ...op.set(dot),
      ...op.i32(0),
      ...op.set(off),
      ...whileLt(off, op.get(rowBytes), [
        ...at(dx),
        ...at(y),
        ...op.load,
        ...at(dy),
        ...op.load,
        ...op.get(dot),
        ...op.f32x4Sub,
        ...op.f32x4Mul,
        ...op.store,
        ...addTo(off, op.i32(16)),
      ]),
      ...addTo(y, [...op.get(rowBytes)]),
      ...addTo(dy, [...op.get(rowBytes)]),
      ...addTo(dx, [...op.get(rowBytes)]),
      ...addTo(r, op.i32(1)),
    ]),
    ...op.end,
  ];
  const locals = vec([
    [...uleb(3), I32],
    [...uleb(2), V128],
  ]);
  return [...locals, ...code];
}

function moduleBytes(shared: boolean): Uint8Array {
  const funcType = (n: number) => [0x60, ...uleb(n), ...new Array<number>(n).fill(I32), 0];
  const adamwType = [
    0x60,
    ...uleb(16),
    ...new Array<number>(8).fill(I32),
    ...new Array<number>(8).fill(F32),
    0,
  ];
  const types = section(1, vec([funcType(6), funcType(5), adamwType]));
  // softmaxGrad has 5 i32 params, like colSum: type 1.
  // Shared memories must declare a maximum; 65536 pages (4 GB) admits any wasm32 memory.
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]]));
  const funcs = section(3, vec([[0], [1], [2], [1]]));
  const exports = section(
    7,
    vec([
      [...str('transpose'), 0x00, 0],
      [...str('colSum'), 0x00, 1],
      [...str('adamw'), 0x00, 2],
      [...str('softmaxGrad'), 0x00, 3],
    ]),
  );
  const bodies = [transposeBody(), colSumBody(), adamwBody(), softmaxGradBody()].map((b) => [
    ...uleb(b.length),
    ...b,
  ]);
  const code = section(10, vec(bodies));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

/** The WebAssembly API (typed here: the Node tsconfig has no DOM lib, which declares it). */
interface WasmApi {
  Memory: abstract new (...args: never[]) => { buffer: ArrayBufferLike };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
type Memory = InstanceType<WasmApi['Memory']>;

/** The backend's WebAssembly.Memory (threaded: `wasmMemory`; single-threaded: `asm.memory`). */
function memoryOf(b: WasmBackend): Memory | null {
  const w = b.wasm as unknown as {
    wasmMemory?: unknown;
    asm?: { memory?: unknown };
  };
  const m = w.wasmMemory ?? w.asm?.memory;
  return m instanceof WA.Memory ? m : null;
}

const instances = new WeakMap<WasmBackend, SimdKernels | null>();

/** The SIMD kernels bound to `b`'s heap, or null where they cannot be built (JS fallbacks). */
export function simdKernels(b: WasmBackend): SimdKernels | null {
  const known = instances.get(b);
  if (known !== undefined) return known;
  let kernels: SimdKernels | null = null;
  const memory = memoryOf(b);
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  if (memory !== null && env?.PLW_WASM_SIMD_KERNELS !== '0') {
    try {
      const shared =
        typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const mod = new WA.Module(moduleBytes(shared));
      const inst = new WA.Instance(mod, { env: { memory } });
      kernels = inst.exports as unknown as SimdKernels;
    } catch {
      kernels = null;
    }
  }
  instances.set(b, kernels);
  return kernels;
}
