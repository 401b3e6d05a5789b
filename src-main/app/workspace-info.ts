/** The API's handlers about the workspace itself and the workers that ran its cells. */
import type { PlwHandlers } from '../../src-shared/api';
import { blasAddonProblem } from '../workers/blas-addon';
import { WorkerRecords } from '../workers/worker-records';
import type { Workspace } from '../workspace/workspace';
import { describeAdapter } from '../../src-shared/gpu';

export function workspaceHandlers(
  ws: Workspace,
): Pick<PlwHandlers, 'workspace:info' | 'workers:list'> {
  const workerRecords = new WorkerRecords(ws.store);
  return {
    'workspace:info': () => ({
      backend: workerRecords.backend(),
      workers: ws.availableWorkers(),
      blasAddon: blasAddonProblem(),
      runnerPid: ws.role === 'runner' ? null : ws.runnerPid,
    }),
    'workers:list': () =>
      workerRecords.list().map((w) => ({
        name: w.name,
        host: w.host,
        pid: w.pid,
        backend: w.hello.backend.name,
        backendReason: w.hello.backend.reason,
        skipped: w.hello.backend.skipped,
        threads: w.hello.backend.threads,
        blas:
          w.hello.backend.blas === null
            ? null
            : { coreType: w.hello.backend.blas.coreType, threads: w.hello.backend.blas.threads },
        gpu: w.hello.backend.gpu === undefined ? null : describeAdapter(w.hello.backend.gpu),
        cells: w.cells,
        lastSeen: w.lastSeen,
        connected: w.connected,
        allowCommands: w.connected === null || w.hello.allowCommands === true,
      })),
  };
}
