import { utilityProcess } from 'electron';
import type { MainMessage } from '../../src-shared/protocol';
import { TSX_LOADER, WORKER_ENTRY } from '../workers/fork-host';
import type { SpawnOptions, WorkerExit, WorkerHandle, WorkerHost } from '../workers/host';

const TAIL_BYTES = 4096;

/**
 * Workers as Electron `utilityProcess.fork` (desktop): Chromium's process model, so the
 * workers show in the app's metrics and die with the app. The worker entry talks through
 * `process.parentPort`. Electron gives no signal name on exit, only a code.
 */
export class UtilityProcessHost implements WorkerHost {
  readonly kind = 'utilityProcess';

  /** `entry`: the built worker bundle in a packaged app; the TypeScript source in development. */
  constructor(private readonly entry: string = WORKER_ENTRY) {}

  spawn(options: SpawnOptions): WorkerHandle {
    const child = utilityProcess.fork(this.entry, [], {
      env: { ...process.env, ...options.env },
      // TypeScript runs through tsx's loader in development, as in the child_process host.
      execArgv: this.entry.endsWith('.ts') ? ['--import', TSX_LOADER] : [],
      stdio: 'pipe',
      serviceName: 'PLW Studio worker',
    });
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    });
    child.stdout?.on('data', () => undefined);
    const pid = child.pid;
    let alive = true;
    const exited = new Promise<WorkerExit>((resolvePromise) => {
      child.once('exit', (code: number) => {
        alive = false;
        setImmediate(() => resolvePromise({ code, signal: null, stderrTail: tail }));
      });
    });
    return {
      pid,
      exited,
      send(message: MainMessage) {
        if (alive) child.postMessage(message);
      },
      onMessage(listener) {
        child.on('message', (message: unknown) => listener(message));
      },
      kill() {
        if (alive) child.kill();
      },
    };
  }
}
