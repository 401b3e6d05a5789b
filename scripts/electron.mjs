#!/usr/bin/env node
// Electron dev/build. The native-module trap: Electron embeds its own Node ABI, so
// better-sqlite3 must be compiled for it, while the CLI, web mode and tests use the copy built
// for the system Node in node_modules. This script compiles a SEPARATE copy for Electron into
// out/native/ (needs Electron's headers, fetched by node-gyp from Electron's header host) and
// the Electron main process loads that one (PLW_SQLITE_BINDING). node_modules stays untouched.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const mode = process.argv[2] ?? 'dev';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let electronPath;
try {
  electronPath = require('electron');
} catch {
  console.error(
    "Electron's binary is not installed (its download is blocked by allowScripts or the network).\n" +
      'Allow it with: npm install-scripts approve electron && npm rebuild electron — or use `npm start` (web mode).',
  );
  process.exit(1);
}

const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;
const nativeDir = join(root, 'out/native', `electron-${electronVersion}`);
const binding = join(nativeDir, 'better-sqlite3/build/Release/better_sqlite3.node');
if (!existsSync(binding)) {
  rmSync(nativeDir, { recursive: true, force: true });
  mkdirSync(nativeDir, { recursive: true });
  cpSync(join(root, 'node_modules/better-sqlite3'), join(nativeDir, 'better-sqlite3'), {
    recursive: true,
  });
  rmSync(join(nativeDir, 'better-sqlite3/build'), { recursive: true, force: true });
  // npm ships node-gyp; `npm run` tells scripts where it is.
  const nodeGyp =
    process.env.npm_config_node_gyp ??
    join(
      dirname(process.execPath),
      '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    );
  run(
    process.execPath,
    [
      nodeGyp,
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
      '--runtime=electron',
    ],
    { cwd: join(nativeDir, 'better-sqlite3') },
  );
}

run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
if (mode === 'build') process.exit(0);
run(electronPath, [root], { env: { ...process.env, PLW_SQLITE_BINDING: binding } });
