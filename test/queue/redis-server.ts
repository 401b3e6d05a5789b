/**
 * A real redis-server for one test file: its own process on 127.0.0.1, a free port and a temp
 * folder (append-only file on, so a restart keeps the queue), never the system service.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.PLW_REDIS_SERVER ?? 'redis-server';

/** Queue tests need redis-server; under CI a missing one is a failure, never a skip. */
export function redisAvailable(): boolean {
  const ok = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' }).status === 0;
  if (!ok && process.env.CI === 'true') {
    throw new Error(
      `${REDIS_SERVER} not found: CI must install redis-server (scripts/setup-test-deps.sh)`,
    );
  }
  return ok;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePromise(port));
    });
  });
}

export interface RedisOptions {
  password?: string;
  /** Extra `redis-server` arguments (TLS settings). */
  args?: string[];
}

export class TestRedis {
  private child: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisOptions,
  ) {}

  static async start(options: RedisOptions = {}): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), mkdtempSync(join(tmpdir(), 'plw-redis-')), options);
    await r.startProcess();
    return r;
  }

  /** `redis://[:PASSWORD@]127.0.0.1:PORT`. */
  get url(): string {
    const auth = this.options.password === undefined ? '' : `:${this.options.password}@`;
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  private startProcess(): Promise<void> {
    const args = [
      '--bind',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--protected-mode',
      'yes',
      ...(this.options.password === undefined ? [] : ['--requirepass', this.options.password]),
      ...(this.options.args ?? []),
    ];
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise((resolvePromise, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${out}`)),
        20_000,
      );
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer);
          resolvePromise();
        }
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${out}`));
      });
    });
  }

  /** Stops the server (SIGTERM: it flushes its append-only file) and waits for its exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    await new Promise<void>((resolvePromise) => {
      child.once('exit', () => resolvePromise());
      child.kill('SIGTERM');
    });
  }

  /** Stop, then start again on the same port and folder (the queue is read back from disk). */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }
}
