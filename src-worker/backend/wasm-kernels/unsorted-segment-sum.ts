import {
  UnsortedSegmentSum,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs-core';
import { asWasmBackend, heapView } from './internals';

/**
 * UnsortedSegmentSum, which tfjs-backend-wasm 4.22 lacks: it is the gradient of `gather`, so
 * without it the embedding's backward pass and gather-based cross-entropy throw. A scatter-add
 * in JS over heap views: O(size of x), one pass. Ids outside [0, numSegments) are dropped, as
 * on the CPU backend.
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = asWasmBackend(backend);
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  }
  if (segmentIds.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  util.assert(
    segmentIds.shape.every((s, i) => s === x.shape[i]),
    () =>
      `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] is not a prefix of [${x.shape}]`,
  );
  const innerShape = x.shape.slice(idsRank);
  const inner = util.sizeFromShape(innerShape);
  const out = b.makeOutput([numSegments, ...innerShape], x.dtype);
  const outVals = heapView(b, out);
  outVals.fill(0);
  const numIds = util.sizeFromShape(segmentIds.shape);
  if (numIds === 0 || inner === 0) return out;
  const ids = heapView(b, segmentIds);
  const xVals = heapView(b, x);
  for (let i = 0; i < numIds; i++) {
    const seg = ids[i] ?? -1;
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j] += xVals[src + j] ?? 0;
  }
  return out;
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
