/**
 * HF checkpoint directories in and out: save → load round trips, sharded weights, config
 * defaults and errors, corrupt safetensors, and presets. Errors must name the file and the
 * field or tensor, as docs/CLI.md "The contract" requires for exit status 2.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src-shared/errors';
import { loadHfModel, readHfCheckpoint, saveHfModel } from '../../src-worker/model/checkpoint';
import { configFromHf } from '../../src-worker/model/config';
import { createRandomLlama, parametersToHost } from '../../src-worker/model/llama';
import { loadModel } from '../../src-worker/model/load';
import { findPreset, parameterCount, PRESETS } from '../../src-worker/model/presets';
import { encodeSafetensors, parseSafetensors } from '../../src-worker/model/safetensors';
import { fixtureDir, maxAbsDiff, useCpu } from './fixtures';

let tmp: string;
beforeAll(async () => {
  await useCpu();
  tmp = mkdtempSync(join(tmpdir(), 'plw-model-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function expectInputError(fn: () => unknown, ...parts: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  for (const p of parts) expect((caught as Error).message).toContain(p);
}

describe('save → load round trip', () => {
  it.each(['llama-untied-f32', 'llama-tied-f32', 'llama-untied-bf16'])('%s', async (name) => {
    const { model } = loadHfModel(fixtureDir(name));
    const out = join(tmp, `rt-${name}`);
    await saveHfModel(model, out);
    const { model: again, checkpoint } = loadHfModel(out);
    expect(again.config).toEqual(model.config);
    const a = await parametersToHost(model);
    const b = await parametersToHost(again);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(maxAbsDiff(v.data, b.get(k)!.data)).toBe(0);
    // tied embeddings are saved as transformers saves them: no lm_head tensor
    expect(checkpoint.tensors.has('lm_head.weight')).toBe(!model.config.tieWordEmbeddings);
    expect([...checkpoint.dtypes.values()].every((d) => d === 'F32')).toBe(true);
    const hf = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(hf.architectures).toEqual(['LlamaForCausalLM']);
    expect(hf.num_key_value_heads).toBe(2);
    expect(JSON.parse(readFileSync(join(out, 'generation_config.json'), 'utf8')).eos_token_id).toBe(
      2,
    );
    model.dispose();
    again.dispose();
  });

  it('a saved preset model with the byte tokenizer loads back as MODEL, same logits', async () => {
    const loaded = await loadModel('tiny-byte', { seed: 7 });
    const out = join(tmp, 'tiny-byte');
    await saveHfModel(loaded.model, out, { builtinTokenizer: 'byte' });
    const back = await loadModel(out);
    expect(back.tokenizer?.kind).toBe('byte');
    const ids = tf.tensor2d([[1, 40, 41, 42]], undefined, 'int32');
    const a = loaded.model.logits(ids);
    const b = back.model.logits(ids);
    expect(maxAbsDiff(await a.data(), await b.data())).toBe(0);
    tf.dispose([ids, a, b]);
    loaded.model.dispose();
    back.model.dispose();
  });
});

describe('sharded checkpoints', () => {
  it('loads weights split over shards listed in model.safetensors.index.json', async () => {
    const src = readHfCheckpoint(fixtureDir('llama-untied-f32'));
    const dir = join(tmp, 'sharded');
    const names = [...src.tensors.keys()];
    const halves = [names.slice(0, 7), names.slice(7)];
    const weightMap: Record<string, string> = {};
    await saveHfModel(loadHfModel(fixtureDir('llama-untied-f32')).model, dir);
    rmSync(join(dir, 'model.safetensors'));
    halves.forEach((part, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      const m = new Map(part.map((n) => [n, src.tensors.get(n)!]));
      writeFileSync(join(dir, file), encodeSafetensors(m));
      for (const n of part) weightMap[n] = file;
    });
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const { model } = loadHfModel(dir);
    const a = await parametersToHost(model);
    for (const [k, v] of src.tensors) expect(maxAbsDiff(v.data, a.get(k)!.data)).toBe(0);
    model.dispose();
  });
});

describe('config.json', () => {
  it('fills missing fields with LlamaConfig defaults', () => {
    const c = configFromHf({ hidden_size: 64, num_attention_heads: 4 }, 'config.json');
    expect(c.vocabSize).toBe(32000);
    expect(c.numKeyValueHeads).toBe(4); // defaults to num_attention_heads
    expect(c.rmsNormEps).toBe(1e-6);
    expect(c.ropeTheta).toBe(10000);
    expect(c.tieWordEmbeddings).toBe(false);
    expect(c.padTokenId).toBeNull();
  });

  it('names the file and field of a bad value', () => {
    expectInputError(
      () => configFromHf({ hidden_size: 'big' }, '/m/config.json'),
      '/m/config.json',
      'hidden_size',
    );
    expectInputError(
      () =>
        configFromHf({ hidden_size: 64, num_attention_heads: 4, num_key_value_heads: 3 }, 'c.json'),
      'num_key_value_heads',
    );
    expectInputError(
      () => configFromHf({ rope_scaling: { type: 'linear', factor: 2 } }, 'c.json'),
      'rope_scaling',
    );
    expectInputError(() => configFromHf({ hidden_act: 'gelu' }, 'c.json'), 'hidden_act');
  });
});

describe('corrupt weights files', () => {
  const bytes = () => readFileSync(join(fixtureDir('llama-tied-f32'), 'model.safetensors'));

  it('truncated file: names the file and the first tensor past the end', () => {
    const b = bytes();
    const cut = b.subarray(0, b.length - 100);
    expectInputError(
      () => parseSafetensors(cut, 'w.safetensors'),
      'w.safetensors',
      'truncated',
      'model.norm.weight',
    );
  });

  it('garbage header and wrong dtype are InputErrors naming the file', () => {
    expectInputError(() => parseSafetensors(new Uint8Array(4), 'w.safetensors'), 'w.safetensors');
    const junk = new Uint8Array(16);
    new DataView(junk.buffer).setBigUint64(0, 8n, true);
    expectInputError(() => parseSafetensors(junk, 'w.safetensors'), 'w.safetensors', 'JSON');
    const header = new TextEncoder().encode(
      JSON.stringify({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }),
    );
    const buf = new Uint8Array(8 + header.length + 8);
    new DataView(buf.buffer).setBigUint64(0, BigInt(header.length), true);
    buf.set(header, 8);
    expectInputError(() => parseSafetensors(buf, 'w.safetensors'), 'field "x"', 'I64');
  });

  it('a missing or misshapen tensor names the tensor', async () => {
    const dir = join(tmp, 'missing');
    const { model } = loadHfModel(fixtureDir('llama-tied-f32'));
    await saveHfModel(model, dir);
    model.dispose();
    const host = readHfCheckpoint(dir).tensors;
    host.delete('model.layers.1.mlp.up_proj.weight');
    writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(host));
    expectInputError(
      () => loadHfModel(dir),
      'model.safetensors',
      'model.layers.1.mlp.up_proj.weight',
      'missing',
    );
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 48 }));
    expectInputError(() => loadHfModel(dir), 'model.layers.0.mlp.gate_proj.weight', 'shape');
  });
});

describe('presets', () => {
  it('are valid and sized as documented', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(
      expect.arrayContaining(['tiny-byte', 'perf-a', 'perf-b']),
    );
    expect(findPreset('tiny-byte')!.config.vocabSize).toBe(259);
    expect(parameterCount(findPreset('perf-a')!.config) / 1e6).toBeCloseTo(0.9, 1);
    expect(parameterCount(findPreset('perf-b')!.config) / 1e6).toBeCloseTo(5.9, 1);
  });

  it('seeded init is deterministic and differs across seeds', async () => {
    const c = findPreset('tiny-byte')!.config;
    const [a, b, d] = [createRandomLlama(c, 1), createRandomLlama(c, 1), createRandomLlama(c, 2)];
    const name = 'model.layers.0.self_attn.q_proj.weight';
    const [x, y, z] = await Promise.all([a, b, d].map((m) => m.params.get(name)!.data()));
    expect(maxAbsDiff(x!, y!)).toBe(0);
    expect(maxAbsDiff(x!, z!)).toBeGreaterThan(0);
    expect(a.params.size).toBe(b.params.size);
    [a, b, d].forEach((m) => m.dispose());
  });
});
