import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.setBackend` returns false on failure and only logs the cause with console.warn; we want
 * the cause in BackendInfo.skipped, so capture what the engine logs while it initializes.
 * Throws with that cause when the backend does not start.
 */
export async function setBackendOrThrow(name: string): Promise<void> {
  const logged: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    logged.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } finally {
    console.warn = warn;
  }
  if (!ok) {
    const cause = logged
      .filter((l) => !l.startsWith('Initialization of backend'))
      .map((l) => l.split('\n')[0])
      .join('; ');
    throw new Error(`backend ${name} failed to initialize${cause ? `: ${cause}` : ''}`);
  }
  await tf.ready();
}
