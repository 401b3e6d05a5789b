/**
 * The external-engine contract with real processes (no Python test venv needed: the trainers
 * here are small scripts run by Debian's python3 or system tools): pause and cancel reach the
 * trainer's whole process group, and every bad input fails with one clear line before anything
 * runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub, type HubEvent } from '../../src-main/events/event-hub';
import { MetricsSink } from '../../src-main/events/metrics-sink';
import { Scheduler } from '../../src-main/scheduler/scheduler';
import { Store } from '../../src-main/store/store';
import { resolveSweep, NO_BUILTINS } from '../../src-main/sweeps/load';
import { SweepRepository } from '../../src-main/sweeps/repository';
import { ForkHost } from '../../src-main/workers/fork-host';
import { runCell } from '../../src-main/workers/host';
import { engineFor, parseSweep } from '../../src-shared/sweep';
import { plw } from '../helpers/cli';
import { alive, sweepFile } from '../sweeps/cli-helpers';
import { tempDir } from '../sweeps/helpers';
import { buildTinyLlama, writeTinyDataset } from './fixtures';

const GROUP_TRAINER = join(import.meta.dirname, 'fixtures', 'group_trainer.py');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function until(ready: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

/** A workspace and scheduler running cells on the real worker entry. */
function rig() {
  const dir = tempDir();
  const store = new Store(join(dir, 'ws.db'));
  const repo = new SweepRepository(store);
  const sink = new MetricsSink(store, { flushIntervalMs: 50 });
  const hub = new EventHub(0);
  const events: HubEvent[] = [];
  hub.subscribe((e) => events.push(e));
  const scheduler = new Scheduler(store, repo, new ForkHost(), sink, hub, {
    workers: 2,
    maxAttempts: 3,
    hardware: { cores: 2, gpus: [] },
    cancelGraceMs: 1000,
  });
  cleanups.push(async () => {
    await scheduler.shutdown();
    store.close();
  });
  const model = buildTinyLlama(join(dir, 'model'));
  const data = writeTinyDataset(join(dir, 'data.json'), 2);
  const create = (extra: Record<string, unknown>) =>
    repo.createOrContinue(
      resolveSweep(
        {
          name: 'contract',
          plw: [0, 1],
          models: [model],
          datasets: [data],
          train: { steps: 5 },
          ...extra,
        },
        'sweep.json',
        dir,
        NO_BUILTINS,
      ),
      null,
    );
  return { dir, repo, scheduler, events, create, model, data };
}

function pidsIn(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pids'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split(' ').map(Number));
}

describe('pause and cancel of an external trainer', () => {
  it('SIGTERM reaches the whole group, SIGKILL after grace_seconds; no process is left', async () => {
    const { dir, repo, scheduler, events, create } = rig();
    const pidDir = join(dir, 'pids');
    const { id } = create({
      trainer: {
        // Cell 1's trainer obeys SIGTERM; cell 2's ignores it and is killed after its grace.
        command: ['python3', GROUP_TRAINER, pidDir, '{cell}'],
        grace_seconds: 1,
      },
    });
    const [a, b] = repo.cells(id);
    const run = scheduler.run([id]);
    const stepped = (cell: number) =>
      events.some((e) => e.type === 'progress' && e.cellId === cell && e.metrics.step >= 2);
    await until(() => stepped(a!.id) && stepped(b!.id));
    const pids = pidsIn(pidDir);
    expect(pids).toHaveLength(4); // two trainers, each with a child in its group
    expect(pids.every(alive)).toBe(true);
    expect(scheduler.act(a!.id, 'cancel')).toBe(true);
    expect(scheduler.act(b!.id, 'pause')).toBe(true);
    await run;
    expect(repo.cell(a!.id)!.state).toBe('cancelled');
    expect(repo.cell(b!.id)!.state).toBe('paused');
    await until(() => !pids.some(alive), 10_000);
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);
});

describe('the sweep file fields', () => {
  it('trainer and evaluator per sweep, overridable per model (null: the built-in engine)', () => {
    const trainer = { command: ['python3', 'train.py', '--out', '{out}'], grace_seconds: 5 };
    const evaluator = { command: ['lm_eval', '--output_path', '{eval_out}'] };
    const def = parseSweep(
      {
        name: 's',
        models: ['a', { model: 'b', trainer: null }, { model: 'c', evaluator: { command: ['e'] } }],
        datasets: ['d'],
        trainer,
        evaluator,
      },
      's.json',
    );
    expect(def.models).toEqual(['a', 'b', 'c']);
    expect(engineFor(def, 'a')).toEqual({ trainer, evaluator });
    expect(engineFor(def, 'b')).toEqual({ evaluator });
    expect(engineFor(def, 'c')).toEqual({ trainer, evaluator: { command: ['e'] } });
    // Without the fields a sweep is what it was (same identity, built-in engine).
    const plain = parseSweep({ name: 's', models: ['a'], datasets: ['d'] }, 's.json');
    expect('trainer' in plain || 'modelEngines' in plain).toBe(false);
    expect(engineFor(plain, 'a')).toEqual({});
  });
});

describe('bad input: one clear line, nothing run', () => {
  it('an unknown placeholder or a command that is not an argv array of strings', () => {
    const base = { name: 's', models: ['m'], datasets: ['d'] };
    expect(() =>
      parseSweep({ ...base, trainer: { command: ['python3', 'train.py', '{modle}'] } }, 'sw.json'),
    ).toThrow(
      /^sw\.json: field "trainer\.command\[2\]": unknown placeholder \{modle\}; expected one of \{model\}/,
    );
    expect(() =>
      parseSweep({ ...base, trainer: { command: 'python3 train.py' } }, 'sw.json'),
    ).toThrow(/^sw\.json: field "trainer\.command": expected an argv array of strings/);
    expect(() =>
      parseSweep({ ...base, evaluator: { command: ['lm_eval', 3] } }, 'sw.json'),
    ).toThrow(/^sw\.json: field "evaluator\.command\[1\]": expected an argv array of strings/);
    expect(() =>
      parseSweep(
        { ...base, models: [{ model: 'm', trainer: { command: ['x', '{bogus}'] } }] },
        'sw.json',
      ),
    ).toThrow(/field "models\[0\]\.trainer\.command\[1\]": unknown placeholder \{bogus\}/);
    // The same fields through `plw sweep run`: exit 2, one line, no workspace touched.
    const dir = tempDir();
    const model = buildTinyLlama(join(dir, 'model'));
    const data = writeTinyDataset(join(dir, 'data.json'), 2);
    const file = sweepFile(dir, {
      name: 's',
      models: [model],
      datasets: [data],
      trainer: { command: ['python3', 'train.py', '--out', '{output}'] },
    });
    const r = plw(['sweep', 'run', file, '--db', join(dir, 'ws.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `plw: error: ${file}: field "trainer.command[3]": unknown placeholder {output}; expected one of {model} {dataset} {plw} {seed} {out} {resume} {steps} {epochs} {lr} {batch_size} {max_length} {cell} {sweep} {tasks} {eval_out}`,
    );
    expect(existsSync(join(dir, 'ws.db'))).toBe(false);
  });

  it('a missing executable, and a trainer that exits 0 without writing {out}', async () => {
    const { dir, repo, scheduler, create } = rig();
    const marker = join(dir, 'trainer-ran');
    const { id } = create({
      plw: [0],
      trainer: { command: ['touch', marker] },
      evaluator: { command: ['no-such-lm-eval-xyz', '--output_path', '{eval_out}'] },
    });
    const { id: id2 } = create({
      name: 'silent',
      plw: [0],
      trainer: { command: ['true', '{out}'] },
    });
    await scheduler.run([id, id2]);
    const [missing] = repo.cells(id);
    expect(missing!.state).toBe('failed');
    expect(missing!.attempts).toBe(1);
    expect(missing!.error).toMatch(
      /^evaluator: executable "no-such-lm-eval-xyz" not found on PATH/,
    );
    expect(existsSync(marker)).toBe(false); // the trainer never ran
    const [silent] = repo.cells(id2);
    expect(silent!.state).toBe('failed');
    expect(silent!.attempts).toBe(1);
    expect(silent!.error).toMatch(
      /^trainer exited with status 0 but wrote no model to \{out\} \(\/.*\/final\)$/,
    );
  }, 120_000);

  it('a worker without --allow-commands fails the cell naming the worker', async () => {
    const { dir, model, data } = rig();
    const host = new ForkHost();
    const handle = host.spawn({ env: {} });
    const spec = {
      cellId: 1,
      sweepId: 1,
      model: { path: model },
      dataset: { path: data },
      plw: 0,
      seed: 1,
      train: parseSweep({ name: 's', models: ['m'], datasets: ['d'] }, 's').train,
      benchmarks: [],
      checkpoint: { artifact: 'cell-1' },
      resumeStep: null,
      attempt: 1,
      engine: { trainer: { command: ['touch', join(dir, 'ran')] } },
    };
    const site = { name: 'gpu1', artifacts: dir, allow: null, datasets: {}, models: null };
    await expect(runCell(handle, spec, site, () => undefined)).rejects.toThrow(
      "worker gpu1: refuses to run the cell's trainer/evaluator commands (start it with plw worker --allow-commands)",
    );
    await handle.exited;
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});
