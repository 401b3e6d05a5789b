/**
 * test/train/optimizer.test.ts (AdamW, clipping and schedules against torch.optim, and 3 AdamW
 * steps of the tiny LLaMA with their losses and gradient norms) on the webgpu backend over
 * SwiftShader, with that suite's tolerances.
 */
import './webgpu-env';
import '../train/optimizer.test';
