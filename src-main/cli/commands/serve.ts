import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlwError } from '../../../src-shared/errors';
import { openWorkspaceService } from '../../app/service';
import { startWebServer } from '../../server/web-server';
import { dbPathOption } from '../../store/paths';
import { action, logLine, parseInteger, type CommandRegistrar } from '../io';
import { prepareDemoSweep } from '../../demo/prepare';
import { appBuiltins } from '../../sweeps/builtins';
import { ForkHost } from '../../workers/fork-host';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RENDERER = join(ROOT, 'out/renderer');

/** Builds the renderer bundle when it is missing (first run from a fresh clone). */
function ensureRenderer(): void {
  if (existsSync(join(RENDERER, 'index.html'))) return;
  logLine('building the renderer (first run)…');
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'vite.web.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0)
    throw new PlwError('run_failed', 'building the renderer failed (npm run build:web)');
}

interface ServeOptions {
  db?: string;
  port: number;
  workers?: number;
  demo?: boolean;
}

async function serve(opts: ServeOptions): Promise<number> {
  ensureRenderer();
  const dbPath = dbPathOption(opts.db);
  // The demo base model pre-trains in a worker of the same host as the cells.
  const host = new ForkHost();
  const service = await openWorkspaceService({
    dbPath,
    host,
    builtins: appBuiltins(),
    demoSweep: (onStep) => prepareDemoSweep(host, logLine, onStep),
    baseDir: process.cwd(),
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
  });
  if (opts.demo && (await service.handlers['sweeps:list']({})).length === 0) {
    // In the background: the server is up at once while the base model is found or pre-trains.
    logLine(
      'new workspace: preparing the demo sweep (its base model: the shipped one, or pre-trained first)',
    );
    void Promise.resolve(service.handlers['sweeps:demo']({})).then(
      ({ id }) => logLine(`started the demo sweep (#${id})`),
      (err: unknown) =>
        logLine(
          `the demo sweep could not start: ${err instanceof Error ? err.message : String(err)}`,
        ),
    );
  }
  const server = await startWebServer({
    handlers: service.handlers,
    events: service.events,
    staticDir: RENDERER,
    port: opts.port,
  });
  logLine(`workspace: ${dbPath}`);
  // The URL carries the per-run token; stdout so scripts can read it.
  process.stdout.write(`PLW Studio is running at ${server.url}\n`);
  await new Promise<void>((resolvePromise) => {
    const stop = (signal: NodeJS.Signals): void => {
      logLine(`${signal}: stopping (running cells resume from their checkpoints next time)`);
      resolvePromise();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await service.close();
  return 0;
}

export const registerServe: CommandRegistrar = (program) => {
  program
    .command('serve')
    .description('Open the app in a browser: the UI and API on 127.0.0.1, behind a per-run token.')
    .option('--db <path>', 'workspace database (default: in the app-data folder)')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', parseInteger('--port', 0), 5317)
    .option(
      '--workers <n>',
      'concurrent workers (default: one per GPU, or cores/2; the demo: one per core up to two)',
      parseInteger('--workers', 1),
    )
    .option('--demo', 'start the demo sweep when the workspace has no sweeps yet')
    .action(action(serve));
};
