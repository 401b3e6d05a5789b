/**
 * Makes sure tfjs gradients are registered before anything is differentiated.
 *
 * tfjs-core alone registers no gradient functions: its Node build (tf-core.node.js) leaves them
 * out, and its ESM `dist/register_all_gradients.js` cannot be loaded by Node (extensionless and
 * directory imports). The union package `@tensorflow/tfjs` (same pinned version) registers all
 * of them into tfjs' global registry, which every copy of tfjs-core shares, so loading it once
 * is enough. Its import takes about a second, so it happens only when gradients are missing.
 */
import * as tf from '@tensorflow/tfjs-core';

/** True when the gradient registry is populated (checked on one kernel every model uses). */
export function gradientsRegistered(): boolean {
  return tf.getGradient('Multiply') !== undefined;
}

export async function ensureGradients(): Promise<void> {
  if (gradientsRegistered()) return;
  await import('@tensorflow/tfjs');
  if (!gradientsRegistered()) throw new Error('tfjs gradients could not be registered');
}
