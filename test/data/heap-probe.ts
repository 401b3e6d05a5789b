/**
 * Run as `node --expose-gc --import tsx test/data/heap-probe.ts FILE stream|whole`: reads a
 * dataset and prints `{"count", "peakHeapGrowth"}`, the largest heap growth over the start
 * measured after forced collections, i.e. what the reader keeps alive.
 */
import { openDataset, readDataset } from '../../src-worker/data/reader';

const [file, mode] = process.argv.slice(2);
if (file === undefined || (mode !== 'stream' && mode !== 'whole')) {
  throw new Error('usage: heap-probe.ts FILE stream|whole');
}
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with --expose-gc');
collect();
const base = process.memoryUsage().heapUsed;
let peak = 0;
const sample = (): void => {
  collect();
  peak = Math.max(peak, process.memoryUsage().heapUsed - base);
};
let count = 0;
if (mode === 'stream') {
  for await (const _ of (await openDataset(file)).records) {
    if (++count % 10_000 === 0) sample();
  }
} else {
  const { records } = await readDataset(file);
  count = records.length;
  sample();
}
process.stdout.write(`${JSON.stringify({ count, peakHeapGrowth: peak })}\n`);
