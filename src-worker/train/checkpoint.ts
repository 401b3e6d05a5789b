/**
 * Training checkpoints for exact resume: the weights (as a Hugging Face directory, so a
 * checkpoint also loads in transformers), the AdamW state (m, v, step), the schedule and
 * data-order position and the data RNG state.
 *
 * Layout under the checkpoint folder:
 *   step-000040/ config.json, model.safetensors, generation_config.json,
 *                optimizer.safetensors (`m.<param>`, `v.<param>`), trainer_state.json
 *   latest.json  {"dir": "step-000040", "step": 40}
 * A checkpoint is written into a temporary folder, renamed into place when complete, and only
 * then does `latest.json` (itself written to a temp file and renamed: an atomic replace) point
 * at it; older step folders are removed last. A kill at any moment leaves `latest.json` naming
 * a complete checkpoint (or none yet).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../src-shared/errors';
import type { RngState } from '../../src-shared/random';
import { saveHfModel, WEIGHTS_FILE, type SaveOptions } from '../model/checkpoint';
import type { HostTensor } from '../model/llama';
import { readSafetensors, writeSafetensors } from '../model/safetensors';
import type { CausalLM } from '../model/types';
import type { AdamW } from './adamw';

export const LATEST_FILE = 'latest.json';
export const STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** Where training stands: enough to continue the same trajectory. */
export interface TrainState {
  /** Optimizer updates done. */
  step: number;
  totalSteps: number;
  /** Epoch (0-based) of the next batch. */
  epoch: number;
  /** Index of the next global batch within that epoch's plan. */
  batchIndex: number;
  /** Data RNG state at the start of `epoch`: re-planning from it gives the same order. */
  epochRngState: RngState;
  /** Settings that must match on resume (a different run would not continue the trajectory). */
  settings: Record<string, number | string | boolean>;
}

const STEP_DIR = /^step-\d+(-\d+)?$/;
const stepDirName = (step: number): string => `step-${String(step).padStart(6, '0')}`;

async function hostMap(tensors: Iterable<[string, tf.Tensor]>): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  for (const [name, t] of tensors) {
    out.set(name, { shape: [...t.shape], data: (await t.data()) as Float32Array });
  }
  return out;
}

/** Writes a checkpoint atomically and points latest.json at it; returns its folder. */
export async function saveCheckpoint(
  root: string,
  model: CausalLM,
  optimizer: AdamW,
  state: TrainState,
  saveOptions: SaveOptions = {},
): Promise<string> {
  mkdirSync(root, { recursive: true });
  // Never overwrite a folder latest.json may name (a re-save of the same step after a resume):
  // a kill between removing it and renaming the new one would leave the pointer dangling.
  let name = stepDirName(state.step);
  if (existsSync(join(root, name))) name = `${name}-${Date.now()}`;
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  await saveHfModel(model, tmp, saveOptions);
  const opt = optimizer.state();
  try {
    const tensors = new Map<string, HostTensor>();
    for (const [k, t] of await hostMap(opt.m)) tensors.set(`m.${k}`, t);
    for (const [k, t] of await hostMap(opt.v)) tensors.set(`v.${k}`, t);
    writeSafetensors(join(tmp, OPTIMIZER_FILE), tensors, { format: 'plw-adamw' });
  } finally {
    tf.dispose([...opt.m.values(), ...opt.v.values()]);
  }
  writeFileSync(
    join(tmp, STATE_FILE),
    `${JSON.stringify({ ...state, optimizerStep: opt.step }, null, 2)}\n`,
  );
  const final = join(root, name);
  renameSync(tmp, final);
  const latestTmp = join(root, `.${LATEST_FILE}.${process.pid}`);
  writeFileSync(latestTmp, `${JSON.stringify({ dir: name, step: state.step })}\n`);
  renameSync(latestTmp, join(root, LATEST_FILE));
  for (const entry of readdirSync(root)) {
    if (entry !== name && (STEP_DIR.test(entry) || entry.startsWith('.tmp-'))) {
      rmSync(join(root, entry), { recursive: true, force: true });
    }
  }
  return final;
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file }, `cannot read the checkpoint: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError({ file }, 'corrupt checkpoint: not valid JSON');
  }
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function parseState(json: unknown, file: string): TrainState & { optimizerStep: number } {
  if (typeof json !== 'object' || json === null) {
    throw new InputError({ file }, 'corrupt checkpoint: expected a JSON object');
  }
  const o = json as Record<string, unknown>;
  for (const field of ['step', 'totalSteps', 'epoch', 'batchIndex', 'optimizerStep']) {
    if (!isCount(o[field])) {
      throw new InputError(
        { file, field },
        `corrupt checkpoint: expected a count, got ${JSON.stringify(o[field])}`,
      );
    }
  }
  const rng = o.epochRngState;
  if (
    !Array.isArray(rng) ||
    rng.length !== 4 ||
    !rng.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 32)
  ) {
    throw new InputError(
      { file, field: 'epochRngState' },
      'corrupt checkpoint: expected four 32-bit words',
    );
  }
  if (typeof o.settings !== 'object' || o.settings === null) {
    throw new InputError({ file, field: 'settings' }, 'corrupt checkpoint: expected an object');
  }
  return o as unknown as TrainState & { optimizerStep: number };
}

/** A checkpoint found on disk, not yet applied. */
export interface LoadedCheckpoint {
  dir: string;
  state: TrainState;
  optimizerStep: number;
  weights: Map<string, HostTensor>;
  m: Map<string, HostTensor>;
  v: Map<string, HostTensor>;
}

/**
 * The checkpoint latest.json points at, or null when the folder holds none.
 * @throws InputError naming the file (and field or tensor) when a checkpoint is corrupt.
 */
export function loadLatestCheckpoint(root: string): LoadedCheckpoint | null {
  const latestFile = join(root, LATEST_FILE);
  if (!existsSync(latestFile)) return null;
  const latest = readJsonFile(latestFile) as { dir?: unknown };
  if (
    typeof latest !== 'object' ||
    latest === null ||
    typeof latest.dir !== 'string' ||
    !STEP_DIR.test(latest.dir)
  ) {
    throw new InputError(
      { file: latestFile, field: 'dir' },
      'corrupt checkpoint pointer: expected "step-NNNNNN"',
    );
  }
  const dir = join(root, latest.dir);
  const stateFile = join(dir, STATE_FILE);
  const state = parseState(readJsonFile(stateFile), stateFile);
  const weights = readSafetensors(join(dir, WEIGHTS_FILE)).tensors;
  const opt = readSafetensors(join(dir, OPTIMIZER_FILE)).tensors;
  const m = new Map<string, HostTensor>();
  const v = new Map<string, HostTensor>();
  for (const [k, t] of opt) {
    if (k.startsWith('m.')) m.set(k.slice(2), t);
    else if (k.startsWith('v.')) v.set(k.slice(2), t);
  }
  const { optimizerStep, ...rest } = state;
  return { dir, state: rest, optimizerStep, weights, m, v };
}

/**
 * Copies a loaded checkpoint's weights into `model` and its moments into `optimizer`.
 * @throws InputError naming the file and tensor when one is missing or of the wrong shape.
 */
export function applyCheckpoint(ckpt: LoadedCheckpoint, model: CausalLM, optimizer: AdamW): void {
  const check = (map: Map<string, HostTensor>, file: string, prefix: string) => {
    for (const [name, p] of model.params) {
      const t = map.get(name);
      if (t === undefined || t.shape.join() !== p.shape.join()) {
        throw new InputError(
          { file, field: `${prefix}${name}` },
          t === undefined
            ? 'tensor missing from the checkpoint'
            : `shape [${t.shape}], expected [${p.shape}]`,
        );
      }
    }
  };
  const weightsFile = join(ckpt.dir, WEIGHTS_FILE);
  const optFile = join(ckpt.dir, OPTIMIZER_FILE);
  check(ckpt.weights, weightsFile, '');
  check(ckpt.m, optFile, 'm.');
  check(ckpt.v, optFile, 'v.');
  const toTensors = (map: Map<string, HostTensor>) =>
    new Map(
      [...model.params.keys()].map((k) => {
        const t = map.get(k) as HostTensor;
        return [k, tf.tensor(t.data, t.shape)] as [string, tf.Tensor];
      }),
    );
  const m = toTensors(ckpt.m);
  const v = toTensors(ckpt.v);
  try {
    optimizer.load({ step: ckpt.optimizerStep, m, v });
    for (const [name, p] of model.params) {
      const t = ckpt.weights.get(name) as HostTensor;
      tf.tidy(() => p.assign(tf.tensor(t.data, t.shape)));
    }
  } finally {
    tf.dispose([...m.values(), ...v.values()]);
  }
}
