import { describe, expect, it } from 'vitest';
import { backendLabel } from '../../src-renderer/components/backend-label';

describe('the top bar worker badge', () => {
  it('shows a worker pre-training the demo model before any worker said hello', () => {
    expect(backendLabel(null, { state: 'idle' })).toBe('no worker yet');
    const preparing = {
      state: 'preparing',
      step: null,
      totalSteps: null,
      etaSeconds: null,
      startedAt: 0,
    } as const;
    expect(backendLabel(null, preparing)).toBe('worker pre-training the demo model');
    expect(backendLabel(null, { ...preparing, step: 40, totalSteps: 700 })).toBe(
      'worker pre-training the demo model (step 40/700)',
    );
    expect(backendLabel('wasm-blas', { ...preparing, step: 1, totalSteps: 700 })).toBe(
      'wasm-blas pre-training the demo model (step 1/700)',
    );
    expect(backendLabel('wasm-blas', { state: 'failed', error: 'x' })).toBe('wasm-blas');
  });
});
