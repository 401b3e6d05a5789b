import * as tf from '@tensorflow/tfjs-core';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { PlwError } from '../../src-shared/errors';

/**
 * The only tfjs version the WASM kernel overrides were written and tested against: they read
 * the backend's internals (dataIdMap, memory offsets, exported C functions), which are not a
 * public API and may change in any release. package.json pins it exactly.
 */
export const PINNED_TFJS_VERSION = '4.22.0';

/** Throws a clear error unless tfjs-core and both JS-side backends are the pinned version. */
export function assertPinnedTfjsVersion(): void {
  const found: Record<string, string> = {
    '@tensorflow/tfjs-core': tf.version_core,
    '@tensorflow/tfjs-backend-wasm': version_wasm,
    '@tensorflow/tfjs-backend-cpu': version_cpu,
  };
  const wrong = Object.entries(found).filter(([, v]) => v !== PINNED_TFJS_VERSION);
  if (wrong.length > 0) {
    throw new PlwError(
      'internal',
      `PLW Studio needs TensorFlow.js ${PINNED_TFJS_VERSION} exactly (its WASM kernels use ` +
        `backend internals), found ${wrong.map(([p, v]) => `${p}@${v}`).join(', ')}; ` +
        `reinstall with npm ci`,
    );
  }
}
