/**
 * The benchmarks that time one engine per process (bench/train-throughput.ts,
 * bench/train-capacity.ts) run their own file again with `--child …`: a fresh process per
 * measurement, so peak RSS and the WASM heap are that run's alone. The child prints one
 * `RESULT {json}` line; the parent reads it back here.
 */
import { spawnSync } from 'node:child_process';

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
