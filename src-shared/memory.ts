/**
 * What to do when a training step does not fit or stops making progress: quoted by the WASM
 * heap's out-of-memory messages, the preflight's refusal and the cell watchdog (issue 22).
 */
export const MEMORY_ADVICE =
  'use a smaller --micro-batch-size, a shorter --max-len, or another backend (webgpu where a GPU is available, or an external trainer such as PyTorch)';
