/**
 * Run as `node --import tsx test/backend/heap-probe.ts THREADS` with PLW_WASM_HEAP_LIMIT_MB
 * set: starts the WASM backend (threaded when THREADS > 1) and keeps 8 MiB tensors alive, each
 * made by a kernel (a Multiply, as in rmsNorm), until the heap is full. Issue 22: this used to
 * spin forever (threaded) or die with "Aborted()"; it must end with the out-of-memory message.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src-worker/backend/index';
import { withMemoryStage } from '../../src-worker/backend/wasm-heap';

const threads = Number(process.argv[2] ?? '1');
await initBackend({ backend: 'wasm-xnnpack', threads });
const kept: tf.Tensor[] = [tf.ones([2 * 1024 * 1024])];
try {
  withMemoryStage('the heap probe', () => {
    for (let i = 0; i < 1000; i++) kept.push(tf.mul(kept[kept.length - 1] as tf.Tensor, 1.5));
  });
  process.stdout.write('not full after 1000 tensors\n');
} catch (err) {
  // As the CLI reports an error: its message, exit status 1.
  process.stderr.write(`${(err as Error).name}: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
