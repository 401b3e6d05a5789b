/**
 * `runPretraining`: builds a demo base model from a plain-text corpus — plain language-model
 * training (every target weighs 1) of a from-scratch preset, saved as an HF directory — and
 * caches it under a key made of the corpus hash and every setting, so the same request is
 * answered from disk instead of retrained.
 *
 * The corpus is split into paragraphs at blank lines; each becomes BOS + text + EOS, the
 * paragraphs are joined into one token stream and cut into windows of `seqLen` tokens (the
 * tail shorter than a window is dropped), as GPT-style pre-training packs documents.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PRETRAIN_DEFAULTS } from '../../src-shared/catalogue';
import { InputError, UsageError } from '../../src-shared/errors';
import { saveHfModel, WEIGHTS_FILE } from '../model/checkpoint';
import { loadModel } from '../model/load';
import { findPreset } from '../model/presets';
import type { Tokenizer } from '../tokenizers/types';
import { DEFAULT_ADAMW } from './adamw';
import type { EncodedExample } from './examples';
import { ensureGradients } from './gradients';
import { plwLoss } from './loss';
import { trainLoop, type StepEvent, type TrainCallbacks } from './loop';
import { warmupSteps } from './schedule';

export interface PretrainOptions {
  /** Plain-text corpus (UTF-8). */
  corpus: string;
  /** A preset with a tokenizer (default `tiny-byte`). */
  preset?: string;
  steps?: number;
  seqLen?: number;
  batchSize?: number;
  microBatchSize?: number;
  lr?: number;
  warmupRatio?: number;
  seed?: number;
  /** Folder of cached models; default $PLW_CACHE_DIR, $XDG_CACHE_HOME/plw-studio or ~/.cache/plw-studio. */
  cacheDir?: string;
  /** Retrain even when a cached model exists. */
  force?: boolean;
  /**
   * The model folder's name, which tables and the app show for it (default `<preset>-base`).
   * It sits in a folder named by the settings' key, so each setting has its own copy.
   */
  name?: string;
  signal?: AbortSignal;
}

export interface PretrainResult {
  /** The HF model directory. */
  model: string;
  cached: boolean;
  key: string;
  steps: number;
  /** Loss of the last step (null when answered from the cache without a record of it). */
  finalLoss: number | null;
  windows: number;
}

/** The pre-training defaults (the demo base model's settings): src-shared/catalogue.ts. */
export { PRETRAIN_DEFAULTS };

export const PRETRAIN_RECORD = 'pretrain.json';

export function defaultCacheDir(): string {
  if (process.env.PLW_CACHE_DIR) return resolve(process.env.PLW_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'plw-studio');
}

/** Token windows of the corpus: paragraphs as BOS + text + EOS, packed, cut into seqLen. */
export function corpusWindows(
  text: string,
  tokenizer: Tokenizer,
  seqLen: number,
): EncodedExample[] {
  const stream: number[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const trimmed = para.trim();
    if (trimmed.length === 0) continue;
    stream.push(tokenizer.bosId, ...tokenizer.encode(trimmed), tokenizer.eosId);
  }
  const windows: EncodedExample[] = [];
  // promptLen 0: every target is a completion target, weight 1 (plain LM loss).
  for (let i = 0; i + seqLen <= stream.length; i += seqLen) {
    windows.push({ ids: stream.slice(i, i + seqLen), promptLen: 0 });
  }
  return windows;
}

/** What identifies a pre-trained model: every setting and the corpus's hash, hashed into `key`. */
export interface PretrainIdentity {
  settings: {
    version: number;
    preset: string;
    config: unknown;
    steps: number;
    seqLen: number;
    batchSize: number;
    microBatchSize: number;
    lr: number;
    warmupRatio: number;
    seed: number;
  };
  corpusSha256: string;
  /** 16 hex digits of sha256(corpus hash + settings): the cache folder's name. */
  key: string;
}

/**
 * The settings (defaults filled in), the corpus and the key of a pre-training request,
 * validated: what `runPretraining` caches under, and what a shipped model's record is checked
 * against (demo-base.ts).
 */
export function pretrainIdentity(options: PretrainOptions): PretrainIdentity & {
  corpus: Buffer;
  options: typeof PRETRAIN_DEFAULTS & PretrainOptions;
  tokenizer: string;
} {
  const o = { ...PRETRAIN_DEFAULTS, ...options };
  const preset = findPreset(o.preset);
  if (preset === undefined) throw new UsageError(`--preset: unknown preset "${o.preset}"`);
  if (preset.tokenizer === null) {
    throw new UsageError(`--preset ${o.preset} has no tokenizer: pick one that reads text`);
  }
  if (o.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.name)) {
    // It becomes a folder inside the cache: no separators, no "..", nothing outside it.
    throw new UsageError(
      `--name: "${o.name}" must be one folder name (letters, digits, ".", "_", "-")`,
    );
  }
  if (!(Number.isInteger(o.seqLen) && o.seqLen >= 2))
    throw new UsageError('--seq-len: expected an integer >= 2');
  let corpus: Buffer;
  try {
    corpus = readFileSync(o.corpus);
  } catch (err) {
    throw new InputError({ file: o.corpus }, `cannot read the corpus: ${(err as Error).message}`);
  }
  const settings = {
    version: 1,
    preset: preset.name,
    config: preset.config,
    steps: o.steps,
    seqLen: o.seqLen,
    batchSize: o.batchSize,
    microBatchSize: o.microBatchSize,
    lr: o.lr,
    warmupRatio: o.warmupRatio,
    seed: o.seed,
  };
  const corpusSha256 = createHash('sha256').update(corpus).digest('hex');
  const key = createHash('sha256')
    .update(corpusSha256)
    .update(JSON.stringify(settings))
    .digest('hex')
    .slice(0, 16);
  return { settings, corpusSha256, key, corpus, options: o, tokenizer: preset.tokenizer };
}

export async function runPretraining(
  options: PretrainOptions,
  callbacks: TrainCallbacks = {},
): Promise<PretrainResult> {
  const {
    settings,
    corpusSha256,
    key,
    corpus,
    options: o,
    tokenizer: builtin,
  } = pretrainIdentity(options);
  const cacheDir = resolve(o.cacheDir ?? defaultCacheDir());
  const dir = join(cacheDir, 'pretrained', key, o.name ?? `${settings.preset}-base`);
  const record = join(dir, PRETRAIN_RECORD);
  if (!o.force && existsSync(record) && existsSync(join(dir, WEIGHTS_FILE))) {
    const saved = JSON.parse(readFileSync(record, 'utf8')) as {
      finalLoss?: number;
      windows?: number;
    };
    return {
      model: dir,
      cached: true,
      key,
      steps: o.steps,
      finalLoss: saved.finalLoss ?? null,
      windows: saved.windows ?? 0,
    };
  }

  await ensureGradients();
  const { model, tokenizer } = await loadModel(settings.preset, { seed: o.seed });
  try {
    const windows = corpusWindows(corpus.toString('utf8'), tokenizer as Tokenizer, o.seqLen);
    if (windows.length === 0) {
      throw new InputError({ file: o.corpus }, `shorter than one window of ${o.seqLen} tokens`);
    }
    let last: StepEvent | null = null;
    const result = await trainLoop(
      model,
      plwLoss,
      windows,
      {
        plw: 1,
        totalSteps: o.steps,
        seed: o.seed,
        batching: {
          batchSize: o.batchSize,
          microBatchSize: Math.min(o.microBatchSize, o.batchSize),
          shuffle: true,
          windowBatches: 0, // every window has the same length: nothing to bucket
        },
        schedule: {
          kind: 'cosine',
          lr: o.lr,
          totalSteps: o.steps,
          warmupSteps: warmupSteps(o.steps, o.warmupRatio),
        },
        adamw: DEFAULT_ADAMW,
        clip: 1.0,
        checkpointEvery: 0,
        resume: false,
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      },
      {
        ...callbacks,
        onStep: (e) => {
          last = e;
          callbacks.onStep?.(e);
        },
      },
    );
    if (result.stopped)
      throw new UsageError('pre-training was stopped before the end; nothing was cached');
    // Written beside the final folder and renamed into place: a half-written model is never cached.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    await saveHfModel(model, tmp, { builtinTokenizer: builtin });
    const finalLoss = (last as StepEvent | null)?.loss ?? null;
    writeFileSync(
      join(tmp, PRETRAIN_RECORD),
      `${JSON.stringify({ key, corpus: resolve(o.corpus), corpusSha256, settings, finalLoss, windows: windows.length }, null, 2)}\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return {
      model: dir,
      cached: false,
      key,
      steps: result.steps,
      finalLoss,
      windows: windows.length,
    };
  } finally {
    model.dispose();
  }
}
