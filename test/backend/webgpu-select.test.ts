/**
 * Default backend selection with a software WebGPU adapter present (SwiftShader, as in CI):
 * webgpu is skipped with the adapter named and the reason, and WASM runs. Forcing it is
 * test/backend/webgpu-*.test.ts's business.
 */
import './webgpu-env';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackend, initBackend, workerHello } from '../../src-worker/backend/index';
import { probeAdapterInChild, summarizeAdapter } from '../../src-worker/backend/webgpu-adapter';
import { workerHelloSchema } from '../../src-shared/protocol';

const limits = {
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 27,
  maxStorageBuffersPerShaderStage: 8,
};
const info = (vendor: string, architecture: string, description: string, fallback = false) => ({
  info: { vendor, architecture, device: '', description, isFallbackAdapter: fallback },
  limits,
});

describe('software adapters', () => {
  it('are told apart from hardware by name or by the fallback flag', () => {
    expect(summarizeAdapter(info('google', 'swiftshader', 'SwiftShader driver')).software).toMatch(
      /software adapter \(swiftshader/i,
    );
    expect(summarizeAdapter(info('mesa', '', 'llvmpipe (LLVM 15.0.6, 256 bits)')).software).toMatch(
      /llvmpipe/,
    );
    expect(summarizeAdapter(info('x', 'y', 'z', true)).software).toMatch(/fallback adapter/);
    expect(summarizeAdapter(info('nvidia', 'ampere', 'NVIDIA A100-SXM4-80GB')).software).toBeNull();
    expect(summarizeAdapter(info('amd', 'rdna-3', 'AMD Radeon RX 7900 XTX')).software).toBeNull();
  });

  it('the child probe names SwiftShader and its limits', async () => {
    const probe = await probeAdapterInChild();
    expect(probe.why).toBe('');
    expect(probe.adapter?.vendor).toBe('google');
    expect(probe.adapter?.architecture).toBe('swiftshader');
    expect(probe.adapter?.software).not.toBeNull();
    expect(probe.adapter?.maxBufferSize).toBeGreaterThan(0);
  });

  it('the default selection skips webgpu on SwiftShader with the reason and runs WASM', async () => {
    const chosen = await initBackend({ threads: 1 });
    expect(tf.getBackend()).toBe(chosen.tfBackend);
    expect(chosen.name).not.toBe('webgpu');
    const skip = chosen.skipped.find((s) => s.name === 'webgpu');
    expect(skip?.why).toMatch(
      /^google swiftshader is a software adapter \(swiftshader: the CPU emulates the GPU\); it is used only with --backend webgpu$/,
    );
    expect(describeBackend(chosen)).toContain('webgpu: google swiftshader is a software adapter');
    const hello = workerHello('w', chosen);
    expect(workerHelloSchema.parse(hello).backend.gpu).toBeUndefined();
  });
});
