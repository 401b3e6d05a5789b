/**
 * Regenerates resources/demo/ byte for byte: `npx tsx src-worker/data/demo/generate.ts [DIR]`
 * (DIR defaults to resources/demo/). The files are checked in; test/data/demo.test.ts fails
 * when they drift from the generator.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoFiles } from './files';
import { DEMO_DATA_DIR } from './index';

const dir = process.argv[2] === undefined ? DEMO_DATA_DIR : resolve(process.argv[2]);
mkdirSync(dir, { recursive: true });
for (const [name, content] of Object.entries(demoFiles())) {
  writeFileSync(join(dir, name), content);
  process.stdout.write(`${join(dir, name)}: ${Buffer.byteLength(content)} bytes\n`);
}
