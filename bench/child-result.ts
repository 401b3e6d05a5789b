/**
 * The benchmarks that time one engine per process (bench/train-throughput.ts,
 * bench/train-capacity.ts) run their own file again with `--child …`: a fresh process per
 * measurement, so peak RSS and the WASM heap are that run's alone. The child prints one
 * `RESULT {json}` line; the parent reads it back here. The PyTorch peer they time against is
 * run from here too.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PREFIX = 'RESULT ';

/** The child's side: its one result line on stdout. */
export function printResult(result: unknown): void {
  process.stdout.write(`${PREFIX}${JSON.stringify(result)}\n`);
}

/**
 * The parent's side: runs `file` (the calling benchmark, under this process's loader flags)
 * with `--child` and `args`, and returns the child's result, or why there is none (its exit
 * and the last `tailLines` lines it wrote).
 */
export function runChild<T>(
  file: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string; tailLines?: number },
): T | string {
  const r = spawnSync(process.execPath, [...process.execArgv, file, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: options.timeoutMs,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith(PREFIX));
  if (line === undefined) {
    const tail = (r.stderr || r.stdout)
      .trim()
      .split('\n')
      .slice(-(options.tailLines ?? 2))
      .join(' | ');
    return `no result (exit ${r.status ?? r.signal}): ${tail}`;
  }
  return JSON.parse(line.slice(PREFIX.length)) as T;
}

/** The PyTorch peer the CPU training benchmarks compare against. */
const TORCH_TRAIN_BENCH = join(
  dirname(fileURLToPath(import.meta.url)),
  'reference',
  'torch_train_bench.py',
);

/**
 * Runs the PyTorch peer (bench/reference/torch_train_bench.py) with `--name value` for each of
 * `flags`, and returns the JSON it prints, or why there is none (the last `tailLines` lines of
 * its stderr).
 */
export function runTorchTrainBench<T>(
  flags: Record<string, number>,
  options: { timeoutMs: number; env: NodeJS.ProcessEnv; tailLines?: number },
): T | string {
  const r = spawnSync(
    '/usr/bin/python3',
    [TORCH_TRAIN_BENCH, ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])],
    { encoding: 'utf8', maxBuffer: 1 << 24, timeout: options.timeoutMs, env: options.env },
  );
  if (r.status !== 0) {
    const tail = (r.stderr || String(r.error))
      .trim()
      .split('\n')
      .slice(-(options.tailLines ?? 1))
      .join(' | ');
    return `pytorch failed: ${tail}`;
  }
  return JSON.parse(r.stdout) as T;
}
