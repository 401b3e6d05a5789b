/**
 * First-run benchmark (issue 21): a new user's first five minutes, measured as they live them.
 * Clones this repository's HEAD into a fresh folder, runs README's run command there
 * (`bash scripts/setup-and-start.sh`, which installs libopenblas-dev where it can, runs npm ci
 * and `npm start`) with a fresh app-data folder and a fresh PLW cache, then talks to the app over
 * its own API until the demo sweep's cells are all done and its analysis is fitted.
 *
 *   npx tsx bench/first-run.ts [--fresh-npm-cache] [--keep]
 *
 * --fresh-npm-cache also gives npm an empty cache, so npm ci downloads every package (a user who
 * never ran npm); without it npm's own cache is used (the network is left out of the figure).
 * Prints the time of each phase (npm ci, the renderer build and server start, the demo's cells,
 * the analysis), the total, the backend the cells ran on, and each cell's demo_mc score against
 * chance; docs/PERF-NOTES.md "The demo" quotes them. Prints figures only; never part of the
 * pass/fail suite.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { wilsonInterval } from '../src-shared/analysis/intervals';
import type { AnalysisSummary, SweepDetail, SweepSummary, WorkspaceInfo } from '../src-shared/api';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const freshNpmCache = process.argv.includes('--fresh-npm-cache');
const dir = mkdtempSync(join(tmpdir(), 'plw-first-run-'));
const clone = join(dir, 'plw-studio');
const t0 = Date.now();
const secs = (t: number): string => ((t - t0) / 1000).toFixed(0);
const log = (s: string): void => console.log(`[${secs(Date.now())} s] ${s}`);

const head = spawnSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
log(`cloning ${repo} at ${head.stdout.trim()} into ${clone}`);
const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', repo, clone], {
  stdio: 'inherit',
});
if (cloned.status !== 0) throw new Error('git clone failed');

const env: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_DATA_HOME: join(dir, 'data'), // the default workspace lives here: a new user's
  PLW_CACHE_DIR: join(dir, 'cache'),
  CI: '',
};
delete env.PLW_BACKEND;
if (freshNpmCache) env.npm_config_cache = join(dir, 'npm-cache');
mkdirSync(env.XDG_DATA_HOME!, { recursive: true });

const load: number[] = [];
const loadTimer = setInterval(() => load.push(loadavg()[0]!), 5000);

const app = spawn('bash', ['scripts/setup-and-start.sh', '--port', '0'], {
  cwd: clone,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let npmDone: number | null = null;
let backendLine = '';
const url = new Promise<string>((resolve, reject) => {
  const onLine = (line: string): void => {
    if (/Electron is not installed|starting PLW Studio/.test(line) && npmDone === null) {
      npmDone = Date.now();
      log('npm ci done; npm start begins');
    }
    if (line.startsWith('backend:')) backendLine = line;
    const m = /running at (http:\/\/\S+)/.exec(line);
    if (m) resolve(m[1]!);
  };
  for (const stream of [app.stdout, app.stderr]) {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (process.argv.includes('--verbose')) console.log(`  | ${line}`);
        onLine(line);
      }
    });
  }
  app.on('exit', (code) => reject(new Error(`setup-and-start.sh exited ${code} before its URL`)));
});

function client(
  appUrl: string,
): Promise<<C extends string>(channel: C, payload: unknown) => Promise<unknown>> {
  const u = new URL(appUrl);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`);
  let next = 1;
  const waiting = new Map<
    number,
    (m: { ok: boolean; result?: unknown; error?: unknown }) => void
  >();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { kind: string; id: number; ok: boolean };
    if (m.kind === 'response') waiting.get(m.id)?.(m);
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve(
        (channel, payload) =>
          new Promise((res, rej) => {
            const id = next++;
            waiting.set(id, (m) =>
              m.ok ? res(m.result) : rej(new Error(JSON.stringify(m.error))),
            );
            ws.send(JSON.stringify({ kind: 'request', id, channel, payload }));
          }),
      ),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

try {
  const appUrl = await url;
  const serverUp = Date.now();
  log(`server up: ${appUrl.replace(/token=[^&\s]+/, 'token=…')}`);
  const call = await client(appUrl);
  let sweep: SweepSummary | undefined;
  let firstCellDone: number | null = null;
  for (;;) {
    const sweeps = (await call('sweeps:list', {})) as SweepSummary[];
    sweep = sweeps[0];
    const demo = (await call('demo:status', {})) as { state: string; error?: string };
    if (demo.state === 'failed') throw new Error(`the demo failed: ${demo.error}`);
    if (sweep) {
      const done = sweep.counts.done ?? 0;
      if (done > 0 && firstCellDone === null) {
        firstCellDone = Date.now();
        log('first cell done');
      }
      const unfinished = Object.entries(sweep.counts)
        .filter(([state, n]) => state !== 'done' && state !== 'failed' && (n ?? 0) > 0)
        .reduce((a, [, n]) => a + (n ?? 0), 0);
      if (unfinished === 0 && done + (sweep.counts.failed ?? 0) === sweep.cells) break;
    }
    await sleep(1000);
  }
  const cellsDone = Date.now();
  log(`all ${sweep.cells} cells finished (${JSON.stringify(sweep.counts)})`);
  const analysis = (await call('analysis:get', { sweepId: sweep.id })) as AnalysisSummary;
  const analysed = Date.now();
  const info = (await call('workspace:info', {})) as WorkspaceInfo;
  const detail = (await call('sweeps:get', { id: sweep.id })) as SweepDetail;

  console.log('\n## Phases (wall seconds from the clone)');
  console.log(`npm ci (setup-and-start.sh up to npm start): ${npmDone ? secs(npmDone) : '?'} s`);
  console.log(
    `renderer build + server start: ${npmDone ? ((serverUp - npmDone) / 1000).toFixed(0) : '?'} s`,
  );
  console.log(`first cell done: ${firstCellDone ? secs(firstCellDone) : '?'} s`);
  console.log(`demo cells (server up → all done): ${((cellsDone - serverUp) / 1000).toFixed(0)} s`);
  console.log(`analysis: ${((analysed - cellsDone) / 1000).toFixed(1)} s`);
  console.log(`TOTAL clone → finished demo analysis: ${secs(analysed)} s`);
  console.log(`\nbackend: ${info.backend ?? backendLine}`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model}; 1-minute load during the run: ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`,
  );
  console.log(
    `npm cache: ${freshNpmCache ? 'fresh (every package downloaded)' : "npm's own (warm)"}`,
  );
  console.log('\n## Cells');
  for (const c of detail.cellList) {
    const mc = c.scores.demo_mc;
    const n = 240; // demo-sweep.json's demo_mc limit
    const low = mc === undefined ? null : wilsonInterval(mc, n).lower;
    console.log(
      `${c.dataset} plw=${c.plw} ${c.state} demo_mc ${mc?.toFixed(3) ?? '–'} (95% low ${low?.toFixed(3) ?? '–'}${low !== null && low <= 0.25 ? ', NOT above chance' : ''}) demo_gen ${c.scores.demo_gen?.toFixed(3) ?? '–'}`,
    );
  }
  console.log('\n## Analysis');
  for (const g of analysis.groups) console.log(`${g.label}: ${g.verdict}`);
  for (const s of analysis.skipped) console.log(`${s.label}: skipped: ${s.reason}`);
} finally {
  clearInterval(loadTimer);
  if (app.pid) {
    try {
      process.kill(-app.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  await sleep(1500);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept: ${dir}`);
}
