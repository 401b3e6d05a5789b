import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import type { InstructionRecord } from '../../src-shared/alpaca';
import { InputError, PlwError } from '../../src-shared/errors';
import type { DatasetFormat } from './reader';

/** Only the three Alpaca fields, in a fixed order, so outputs are byte-stable. */
function plain(r: InstructionRecord): InstructionRecord {
  return { instruction: r.instruction, input: r.input, output: r.output };
}

/**
 * Writes records as a pretty-printed JSON array (2-space indent) or JSONL. The file appears
 * only when complete: records go to a temporary file beside `file`, renamed at the end, so a
 * bad record halfway through a large input leaves no half-written output (and `file` may be
 * the input being read).
 */
export async function writeDataset(
  file: string,
  format: DatasetFormat,
  records: AsyncIterable<InstructionRecord> | Iterable<InstructionRecord>,
): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const out = createWriteStream(tmp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  // Observed here so an error while records are still being read is not "unhandled".
  failed.catch(() => undefined);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    if (format === 'jsonl') {
      for await (const r of records) await write(`${JSON.stringify(plain(r))}\n`);
    } else {
      const all: InstructionRecord[] = [];
      for await (const r of records) all.push(plain(r));
      await write(`${JSON.stringify(all, null, 2)}\n`);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    await rename(tmp, file);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    if (err instanceof PlwError) throw err;
    // The output path is the user's input too: an unwritable one is exit 2, naming it.
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : (err as Error).message;
    throw new InputError({ file }, `cannot write the dataset: ${why}`);
  }
}
