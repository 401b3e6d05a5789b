import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MainMessage } from '../../src-shared/protocol';
import type { SpawnOptions, WorkerExit, WorkerHandle, WorkerHost } from './host';

/** The worker entry, run from source through tsx's loader (no build step, as `bin/plw.mjs`). */
export const WORKER_ENTRY = fileURLToPath(new URL('../../src-worker/entry.ts', import.meta.url));

/**
 * tsx's loader as an absolute URL: a bare `--import tsx` would be resolved from the worker's
 * working directory, which is the user's, not the app's.
 */
export const TSX_LOADER = import.meta.resolve('tsx');

const TAIL_BYTES = 4096;

/**
 * Workers as `child_process.fork` (CLI and web mode). The IPC channel doubles as the parent's
 * lifeline: the worker exits when it disconnects, so killing main never leaves orphans.
 */
export class ForkHost implements WorkerHost {
  readonly kind = 'child_process';

  /** `entry` is for tests that drive the host with a scripted worker speaking the protocol. */
  constructor(private readonly entry: string = WORKER_ENTRY) {}

  spawn(options: SpawnOptions): WorkerHandle {
    const child = fork(this.entry, [], {
      execArgv: ['--import', TSX_LOADER],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stderr?.on('data', keep);
    // stdout is drained (a full pipe would block the worker) but it is not part of the protocol.
    child.stdout?.on('data', () => undefined);
    const exited = new Promise<WorkerExit>((resolvePromise) => {
      child.once('exit', (code, signal) => {
        // Let the last stderr chunks arrive before reporting.
        setImmediate(() => resolvePromise({ code, signal, stderrTail: tail }));
      });
      child.once('error', (err) => {
        tail += `\n${err.message}`;
        if (child.exitCode === null && child.pid === undefined) {
          resolvePromise({ code: null, signal: null, stderrTail: tail });
        }
      });
    });
    return {
      pid: child.pid,
      exited,
      send(message: MainMessage) {
        if (child.connected) child.send(message);
      },
      onMessage(listener) {
        child.on('message', listener);
      },
      kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  }
}
