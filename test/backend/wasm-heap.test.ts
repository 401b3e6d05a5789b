/**
 * The WASM heap guard (src-worker/backend/wasm-heap.ts): a full heap fails with one message
 * naming the tensor, its size, the limit and what to do, on the threaded module too (issue 22:
 * it spun forever there, or died with "Aborted()" single-threaded). PLW_WASM_HEAP_LIMIT_MB
 * rehearses a full 4 GiB heap at 96 MiB; each probe is a real process with a deadline.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';

function probe(threads: number): Promise<{ code: number | null; out: string; hung: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test/backend/heap-probe.ts'), String(threads)],
      { cwd: REPO_ROOT, env: { ...process.env, PLW_WASM_HEAP_LIMIT_MB: '96' } },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, hung });
    });
  });
}

for (const threads of [1, 2]) {
  it(`a full heap fails with the out-of-memory message (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
    const r = await probe(threads);
    expect(r.hung).toBe(false);
    expect(r.code).not.toBe(0);
    expect(r.out).not.toContain('Aborted(');
    expect(r.out).toMatch(
      /out of memory in the heap probe: a \[2097152\] float32 tensor \(8\.0 MiB\) does not fit: the WASM heap holds [\d.]+ MiB of tensors .* cannot pass 96\.0 MiB; use a smaller --micro-batch-size, a shorter --max-len, or another backend/,
    );
  }, 90_000);
}
