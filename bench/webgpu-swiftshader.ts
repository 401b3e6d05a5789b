/**
 * The webgpu backend on this machine, without a GPU: SwiftShader (Debian chromium's software
 * Vulkan driver) stands in for one.
 *
 *   npx tsx bench/webgpu-swiftshader.ts [--rounds 3] [--no-tests]
 *
 * 1. Start-up overhead, each in a fresh process, median of rounds: `initBackend` forced to
 *    wasm (no WebGPU probe), the default selection (which probes for an adapter in a child
 *    process and skips SwiftShader as software), and webgpu forced on SwiftShader (Dawn,
 *    adapter, device, tfjs-backend-webgpu import, kernel registration).
 * 2. The correctness run CI makes: the test/backend/webgpu-*.test.ts files, wall time and the
 *    CPU seconds they used (what a 2-core CI machine pays), with the load average.
 * Never a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

async function child(mode: string): Promise<void> {
  const { initBackend, describeBackend } = await import('../src-worker/backend/index');
  const t0 = performance.now();
  const info = await initBackend(mode === 'default' ? {} : { backend: mode });
  const ms = performance.now() - t0;
  const line = describeBackend(info);
  process.stdout.write(`PLW-START ${JSON.stringify({ ms, line })}\n`, () => process.exit(0));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ci = args.indexOf('--child');
  if (ci >= 0) return child(args[ci + 1] ?? 'default');
  const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 3) || 3;
  if (!existsSync(ICD)) throw new Error(`${ICD} is missing: apt-get install chromium`);
  const env = { ...process.env, VK_ICD_FILENAMES: ICD };
  console.log(
    `start-up (ms, median of ${rounds} fresh processes), load ${loadavg()[0]?.toFixed(1)}:`,
  );
  for (const mode of ['wasm', 'default', 'webgpu']) {
    const times: number[] = [];
    let line = '';
    for (let r = 0; r < rounds; r++) {
      const p = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode],
        {
          env,
          encoding: 'utf8',
        },
      );
      const out = p.stdout.split('\n').find((l) => l.startsWith('PLW-START '));
      if (out === undefined) throw new Error(`${mode}: ${p.stderr}`);
      const j = JSON.parse(out.slice(10)) as { ms: number; line: string };
      times.push(j.ms);
      line = j.line;
    }
    console.log(
      `  ${mode.padEnd(8)} ${median(times).toFixed(0).padStart(6)} ms  (${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
    console.log(`           ${line.slice(0, 240)}`);
  }
  if (args.includes('--no-tests')) return;
  const before = loadavg()[0] ?? NaN;
  const t0 = performance.now();
  const files = [
    'test/backend/webgpu-select.test.ts',
    'test/backend/webgpu-model-reference.test.ts',
    'test/backend/webgpu-optimizer.test.ts',
    'test/backend/webgpu-device-lost.test.ts',
    'test/backend/webgpu-cli.test.ts',
  ];
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', 'PLW-TIME %e %U %S', process.execPath, 'scripts/run-tests.mjs', ...files],
    {
      cwd: REPO,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  const wall = (performance.now() - t0) / 1000;
  const summary = run.stdout.split('\n').find((l) => l.startsWith('vitest:')) ?? '(no summary)';
  const time = run.stderr.split('\n').find((l) => l.startsWith('PLW-TIME '));
  const [, , user, sys] = (time ?? '').split(' ').map(Number);
  console.log(`correctness run on SwiftShader (${files.length} files): ${summary}`);
  console.log(
    `  wall ${wall.toFixed(0)} s, CPU ${((user ?? NaN) + (sys ?? NaN)).toFixed(0)} s (user ${user} s, sys ${sys} s); ` +
      `1-minute load ${before.toFixed(1)} → ${(loadavg()[0] ?? NaN).toFixed(1)} (2 cores)`,
  );
}

await main();
