/**
 * Serves the component harness (test/renderer/harness) with Vite's dev server on 127.0.0.1,
 * so component tests and bench/ui mount real renderer components in Chromium.
 */
import react from '@vitejs/plugin-react';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';
import { REPO_ROOT } from '../helpers/paths';

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startHarness(): Promise<HarnessServer> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'plw-harness-vite-'));
  const port = await freePort();
  const server = await createServer({
    configFile: false,
    root: join(REPO_ROOT, 'test/renderer/harness'),
    plugins: [react()],
    cacheDir,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port, strictPort: true, fs: { allow: [REPO_ROOT] }, hmr: false },
  });
  await server.listen();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
