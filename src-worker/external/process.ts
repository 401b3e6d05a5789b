/**
 * Runs one external command (src-shared/engine.ts ExpandedCommand) as the leader of its own
 * process group: never through a shell, stdout and stderr read line by line, and stopped as a
 * group: SIGTERM to every process in it, SIGKILL after the grace period. If the worker process
 * exits first, its 'exit' hook kills the group, so no trainer outlives the worker that ran it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { PlwError } from '../../src-shared/errors';
import type { ExpandedCommand } from '../../src-shared/engine';
import { LineSplitter } from './lines';

export interface CommandExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningCommand {
  readonly pid: number;
  readonly exited: Promise<CommandExit>;
  /** SIGTERM to the group, SIGKILL after the grace period; resolves once the leader exited. */
  stop(): Promise<CommandExit>;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The file `argv[0]` names, as execvp would find it (a name with `/` from the working folder,
 * else along PATH), or a one-line error naming the command: nothing has run yet.
 */
export function resolveExecutable(role: string, cmd: ExpandedCommand): string {
  const exe = cmd.argv[0] ?? '';
  const cwd = cmd.cwd ?? process.cwd();
  if (cmd.cwd !== undefined) {
    let dir = false;
    try {
      dir = statSync(cmd.cwd).isDirectory();
    } catch {
      dir = false;
    }
    if (!dir) throw new PlwError('bad_input', `${role}: "cwd" ${cmd.cwd} is not a folder`);
  }
  if (exe.includes('/')) {
    const p = isAbsolute(exe) ? exe : resolve(cwd, exe);
    if (isExecutableFile(p)) return p;
    throw new PlwError('bad_input', `${role}: executable ${p} not found or not executable`);
  }
  const path = cmd.env.PATH ?? process.env.PATH ?? '';
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const p = join(resolve(cwd, dir), exe);
    if (isExecutableFile(p)) return p;
  }
  throw new PlwError('bad_input', `${role}: executable "${exe}" not found on PATH (${path})`);
}

const groups = new Set<number>();
let hooked = false;

/** Kills every group still running when the worker exits (normal exit or process.exit). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Ctrl-C in a terminal reaches this worker too (same process group as the CLI), which then
  // stops its cells through `cancel`: dying on the spot would orphan the commands' groups.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => {
    for (const pgid of groups) signalGroup(pgid, 'SIGTERM');
    setTimeout(() => process.exit(143), 100).unref();
  });
  process.on('exit', () => {
    for (const pgid of groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is empty: every process in it has exited.
  }
}

/** Starts `cmd` (argv[0] already checked with resolveExecutable) in a new process group. */
export function startCommand(
  cmd: ExpandedCommand,
  onStdout: (line: string) => void,
  onStderr: (line: string) => void,
): RunningCommand {
  hookExit();
  const child = spawn(cmd.argv[0]!, cmd.argv.slice(1), {
    cwd: cmd.cwd,
    env: { ...process.env, ...cmd.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // setsid: the child leads a new process group (pgid = its pid)
    shell: false,
  });
  if (child.pid === undefined) {
    throw new PlwError('run_failed', `cannot start ${cmd.argv[0]}`);
  }
  const pgid = child.pid;
  groups.add(pgid);
  const out = new LineSplitter(onStdout);
  const err = new LineSplitter(onStderr);
  child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => err.push(c));
  let streamsOpen = 2;
  let leaderExit: CommandExit | null = null;
  let resolveExit: (e: CommandExit) => void = () => undefined;
  const exited = new Promise<CommandExit>((r) => (resolveExit = r));
  const finish = (): void => {
    if (leaderExit === null || streamsOpen > 0) return;
    out.end();
    err.end();
    resolveExit(leaderExit);
  };
  child.stdout.on('close', () => {
    streamsOpen--;
    finish();
  });
  child.stderr.on('close', () => {
    streamsOpen--;
    finish();
  });
  child.on('exit', (code, signal) => {
    leaderExit = { code, signal };
    // Processes the trainer left in its group (data loaders…) go with it.
    signalGroup(pgid, 'SIGKILL');
    groups.delete(pgid);
    finish();
  });
  child.on('error', (e) => {
    leaderExit = { code: null, signal: null };
    onStderr(`cannot run ${cmd.argv[0]}: ${e.message}`);
    streamsOpen = 0;
    groups.delete(pgid);
    finish();
  });
  let stopping: Promise<CommandExit> | null = null;
  return {
    pid: pgid,
    exited,
    stop() {
      stopping ??= (async () => {
        if (leaderExit !== null) return exited;
        signalGroup(pgid, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), cmd.graceSeconds * 1000);
        const e = await exited;
        clearTimeout(timer);
        return e;
      })();
      return stopping;
    },
  };
}
