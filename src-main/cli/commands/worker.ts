import { Option } from 'commander';
import { resolve } from 'node:path';
import { describeBackend, initBackend, workerHello } from '../../../src-worker/backend/index';
import { allowRoots } from '../../../src-worker/files';
import { PlwError } from '../../../src-shared/errors';
import { defaultWorkerName, startQueueWorker } from '../../queue/worker/queue-worker';
import { parseRedisUrl } from '../../queue/url';
import { ForkHost } from '../../workers/fork-host';
import { action, logLine, parseInteger, type CommandRegistrar } from '../io';
import { appBuiltins } from '../../sweeps/builtins';

interface WorkerOpts {
  queue?: string;
  name?: string;
  concurrency: number;
  artifacts?: string;
  allow?: string[];
  lockDuration?: number;
  stalledInterval?: number;
  allowCommands?: boolean;
}

/**
 * `plw worker --queue URL`: takes cells from the queue until stopped. The first Ctrl-C stops
 * the running cells at a checkpoint and hands them back to the queue; a second one quits.
 */
async function work(opts: WorkerOpts): Promise<number> {
  if (opts.queue === undefined) {
    throw new PlwError('bad_usage', 'plw worker needs --queue redis://[:PASSWORD@]HOST:PORT[/DB]');
  }
  const target = parseRedisUrl(opts.queue);
  const name = opts.name ?? defaultWorkerName();
  if (!/^[\w.@-]{1,100}$/.test(name)) {
    throw new PlwError('bad_usage', `--name: "${name}" may use letters, digits and . _ @ - only`);
  }
  const artifacts = resolve(opts.artifacts ?? 'plw-artifacts');
  const allow = allowRoots([process.cwd(), ...(opts.allow ?? []), artifacts]);
  const backend = await initBackend();
  logLine(`worker ${name}: backend ${describeBackend(backend)}`);
  const { models, datasets } = appBuiltins();
  const running = await startQueueWorker({
    target,
    name,
    concurrency: opts.concurrency,
    artifacts,
    allow,
    hello: { ...workerHello(name, backend), allowCommands: opts.allowCommands === true },
    builtins: { models, datasets },
    host: new ForkHost(),
    log: (line) => logLine(`worker ${name}: ${line}`),
    ...(opts.lockDuration === undefined ? {} : { lockDurationMs: opts.lockDuration }),
    ...(opts.stalledInterval === undefined ? {} : { stalledIntervalMs: opts.stalledInterval }),
  });
  logLine(
    `worker ${name}: waiting for cells on ${target.display} (concurrency ${opts.concurrency}, ` +
      `artifacts ${artifacts}, may read ${allow.join(', ')}; ` +
      (opts.allowCommands === true
        ? "runs cells' trainer/evaluator commands: --allow-commands)"
        : 'refuses trainer/evaluator commands: no --allow-commands)'),
  );
  await new Promise<void>((resolvePromise) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logLine(`worker ${name}: ${signal}: checkpointing running cells and leaving`);
      process.once(signal, () => process.exit(130));
      void running.stop().then(resolvePromise);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  logLine(`worker ${name}: stopped`);
  return 0;
}

export const registerWorker: CommandRegistrar = (program) => {
  program
    .command('worker')
    .description('Run sweep cells sent to a queue (plw sweep run --queue URL) until stopped.')
    .option('--queue <url>', 'Redis of the queue: redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://')
    .option('--name <name>', 'worker name shown in the app (default: HOST-PID)')
    .option('--concurrency <n>', 'cells run at once', parseInteger('--concurrency', 1), 1)
    .option(
      '--artifacts <dir>',
      'where checkpoints go; share it between hosts to resume there',
      undefined,
    )
    .option(
      '--allow <dir...>',
      'folders jobs may read (models, datasets) besides the working directory and --artifacts',
    )
    .option(
      '--allow-commands',
      'run cells\' external trainer and evaluator commands (sweep "trainer" / "evaluator")',
    )
    .addOption(
      new Option('--lock-duration <ms>', 'BullMQ job lock duration')
        .argParser(parseInteger('--lock-duration', 1000))
        .hideHelp(),
    )
    .addOption(
      new Option('--stalled-interval <ms>', 'BullMQ stalled-job check interval')
        .argParser(parseInteger('--stalled-interval', 1000))
        .hideHelp(),
    )
    .action(action(work));
};
