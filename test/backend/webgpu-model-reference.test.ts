/**
 * test/model/reference.test.ts (logits, greedy ids, the PLW loss at 0, 0.1 and 1, the gradient
 * norm, against PyTorch) on the webgpu backend over SwiftShader, with that suite's tolerances.
 */
import './webgpu-env';
import '../model/reference.test';
