/**
 * Copies the window `begin`..`begin+size` of a row-major array of shape `shape` into `dst`
 * (row-major, shape `size`), touching only the window: the stock wasm Slice first copies the
 * whole input off the heap, which made SplitV/Unpack O(outputs × input) (docs/PERF-NOTES.md "Kernel fixes", fix 2).
 * Trailing dims the window covers fully are merged into one contiguous run.
 */
export function copyWindow<T extends Float32Array | Int32Array | Uint8Array>(
  src: T,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: T,
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst.set(src.subarray(0, 1));
    return;
  }
  let total = 1;
  for (const s of size) total *= s;
  if (total === 0) return;

  const strides = new Array<number>(rank);
  let stride = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d] ?? 0;
  }
  // Innermost dims copied as one run: extend while the dim below is taken whole.
  let d = rank - 1;
  let run = size[d] ?? 0;
  while (d > 0 && size[d] === shape[d]) {
    d--;
    run *= size[d] ?? 0;
  }
  let base = 0;
  for (let i = 0; i < rank; i++) base += (begin[i] ?? 0) * (strides[i] ?? 0);
  // Odometer over the outer dims 0..d-1.
  const outer = d;
  const counter = new Array<number>(outer).fill(0);
  let dstOffset = 0;
  let srcOffset = base;
  for (;;) {
    dst.set(src.subarray(srcOffset, srcOffset + run), dstOffset);
    dstOffset += run;
    let i = outer - 1;
    while (i >= 0) {
      const c = (counter[i] ?? 0) + 1;
      if (c < (size[i] ?? 0)) {
        counter[i] = c;
        srcOffset += strides[i] ?? 0;
        break;
      }
      counter[i] = 0;
      srcOffset -= ((size[i] ?? 1) - 1) * (strides[i] ?? 0);
      i--;
    }
    if (i < 0) return;
  }
}
