/**
 * Imported FIRST by the test/backend/webgpu-*.test.ts files, which re-run the PyTorch reference
 * suites on the webgpu backend: makes the suites' backend setup (test/model/fixtures.ts,
 * useNativeBackend) start webgpu, and points Vulkan at SwiftShader (the software Vulkan driver
 * Debian's `chromium` package ships; scripts/setup-test-deps.sh installs it) unless the
 * environment names a driver already. Set before Dawn loads, which reads it once.
 */
import { existsSync } from 'node:fs';
import { vi } from 'vitest';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

process.env['PLW_TEST_BACKEND'] = 'webgpu';
if (process.env['VK_ICD_FILENAMES'] === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
}

// SwiftShader compiles every shader on the CPU: minutes under load. Set before the suites these
// files import define their tests; never a timing assertion.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });
