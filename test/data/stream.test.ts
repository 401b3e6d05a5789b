import { spawnSync } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';
import { tempDir } from './tmp';

const LINES = 200_000;
const tmp = tempDir('plw-stream-');
const file = join(tmp.dir, 'big.jsonl');
afterAll(() => tmp.cleanup());

beforeAll(async () => {
  const out = createWriteStream(file);
  const pad = 'lorem ipsum dolor sit amet '.repeat(2);
  for (let i = 0; i < LINES; i += 1000) {
    let chunk = '';
    for (let j = i; j < i + 1000; j++) {
      chunk += `{"instruction":"Task ${j}: ${pad}","input":"","output":"Answer ${j} ${pad}","id":${j}}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
});

function probe(mode: 'stream' | 'whole'): { count: number; peakHeapGrowth: number } {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'test/data/heap-probe.ts'), file, mode],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`heap probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('JSONL streaming', () => {
  it(`keeps memory flat over ${LINES} lines`, () => {
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(20_000_000);
    const streamed = probe('stream');
    expect(streamed.count).toBe(LINES);
    // A streamed pass keeps nothing: far below the file size (measured: well under 1 MB).
    expect(streamed.peakHeapGrowth).toBeLessThan(size / 20);
    // The probe does see retained records: loading the whole file grows the heap past its size.
    const whole = probe('whole');
    expect(whole.count).toBe(LINES);
    expect(whole.peakHeapGrowth).toBeGreaterThan(size / 2);
  });
});
