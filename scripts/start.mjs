#!/usr/bin/env node
// `npm start`: the Electron app when Electron's binary is installed; otherwise the same app in
// the browser (`plw serve` on the default workspace, with the demo sweep), printing its URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron'); // throws when the binary was never downloaded
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (electronBinary() && !process.argv.includes('--web')) {
  run(process.execPath, [join(root, 'scripts/electron.mjs'), 'dev']);
} else {
  if (!process.argv.includes('--web')) {
    console.error('Electron is not installed here: starting PLW Studio in web mode instead.');
  }
  const index = join(root, 'out/renderer/index.html');
  const stale =
    !existsSync(index) ||
    newestMtime(join(root, 'src-renderer')) > statSync(index).mtimeMs ||
    newestMtime(join(root, 'src-shared')) > statSync(index).mtimeMs;
  if (stale)
    run(process.execPath, [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'vite.web.config.ts',
      '--logLevel',
      'warn',
    ]);
  const extra = process.argv.slice(2).filter((a) => a !== '--web');
  const child = spawn(process.execPath, [join(root, 'bin/plw.mjs'), 'serve', '--demo', ...extra], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
