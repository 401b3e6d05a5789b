import type { DemoStatus } from '../../src-shared/api';

/**
 * The top bar's worker badge: the backend of the worker heard from last, and a worker
 * pre-training the demo's base model (which says no hello: it runs no cell) while it does.
 * @example backendLabel(null, { state: 'preparing', step: 40, totalSteps: 700, etaSeconds: 9, startedAt: 0 }) // 'worker pre-training the demo model (step 40/700)'
 */
export function backendLabel(backend: string | null, demo: DemoStatus | null): string {
  if (demo?.state === 'preparing') {
    const step = demo.step === null ? '' : ` (step ${demo.step}/${demo.totalSteps ?? '?'})`;
    return `${backend === null ? 'worker' : backend} pre-training the demo model${step}`;
  }
  return backend ?? 'no worker yet';
}
