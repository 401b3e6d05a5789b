/**
 * The Datasets view's API against the real workspace service: statistics computed by a real
 * worker process and cached in SQLite until the file changes, the record preview, the
 * short-completion copy, and one clear error for a malformed file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import { PROMPT_NO_INPUT, PROMPT_WITH_INPUT } from '../../src-shared/alpaca';

const DEMO_LONG = resolve('resources/demo/demo-long.jsonl');

const RECORDS = [
  { instruction: 'Add 2 and 3.', input: '', output: 'The sum of 2 and 3 is 5, because 2 + 3 = 5.' },
  { instruction: 'Translate to French.', input: 'cat', output: 'chat' },
  { instruction: 'Name a colour.', input: '', output: 'Blue, the colour of a clear sky.' },
];

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('datasets in the workspace service', () => {
  let dir: string;
  let data: string;
  let service: WorkspaceService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-datasets-'));
    data = join(dir, 'tiny.jsonl');
    writeFileSync(data, RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
    service = await openWorkspaceService({
      dbPath: join(dir, 'w.db'),
      builtins: { models: ['tiny-byte'], datasets: { 'demo-long': DEMO_LONG }, tasks: [] },
      workers: 1,
      baseDir: dir,
    });
  });

  /** Byte-tokenizer statistics through the service, as the Datasets view asks for them. */
  const byteStats = (source: string) =>
    service.handlers['datasets:stats']({ source, tokenizer: 'byte', short: false, refresh: false });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the built-in datasets, and a file once added (relative to the workspace folder)', async () => {
    const before = await service.handlers['datasets:list']({});
    expect(before.map((d) => d.source)).toEqual(['demo-long']);
    expect(before[0]).toMatchObject({ builtin: true, path: DEMO_LONG, registered: false });

    const added = await service.handlers['datasets:add']({ path: 'tiny.jsonl' });
    expect(added).toMatchObject({ source: data, name: 'tiny.jsonl', registered: true });
    expect(added.sizeBytes).toBeGreaterThan(0);
    const after = await service.handlers['datasets:list']({});
    expect(after.map((d) => d.source)).toEqual(['demo-long', data]);

    await expect(
      Promise.resolve().then(() => service.handlers['datasets:add']({ path: 'nope.jsonl' })),
    ).rejects.toThrow(/nope\.jsonl: no such file/);
  });

  it('computes the statistics of docs/METHOD.md "Dataset statistics" in a worker, then serves them from the cache until the file changes', async () => {
    const first = await byteStats(data);
    expect(first.cached).toBe(false);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ins = RECORDS.map((r) => bytes(r.instruction));
    const inp = RECORDS.map((r) => bytes(r.input));
    const out = RECORDS.map((r) => bytes(r.output));
    expect(first.stats.count).toBe(3);
    expect(first.stats.instruction.mean).toBeCloseTo(mean(ins), 10);
    expect(first.stats.completion.mean).toBeCloseTo(mean(out), 10);
    expect(first.stats.totalTokens).toBe([...ins, ...inp, ...out].reduce((a, b) => a + b, 0));
    expect(first.stats.completionPromptRatio).toBeCloseTo(mean(out) / (mean(ins) + mean(inp)), 10);

    const again = await byteStats(data);
    expect(again.cached).toBe(true);
    expect(again.stats).toEqual(first.stats);

    writeFileSync(data, readFileSync(data, 'utf8') + JSON.stringify(RECORDS[1]) + '\n');
    utimesSync(data, new Date(), new Date(Date.now() + 5000));
    const changed = await byteStats(data);
    expect(changed.cached).toBe(false);
    expect(changed.stats.count).toBe(4);
  });

  it('pages through records with the Alpaca prompt each one is trained on', async () => {
    const page = await service.handlers['datasets:preview']({ source: data, offset: 1, limit: 2 });
    expect(page.records.map((r) => r.index)).toEqual([1, 2]);
    expect(page.more).toBe(true);
    expect(page.records[0]!.prompt).toBe(
      PROMPT_WITH_INPUT.replace('{instruction}', 'Translate to French.').replace('{input}', 'cat'),
    );
    expect(page.records[1]!.prompt).toBe(
      PROMPT_NO_INPUT.replace('{instruction}', 'Name a colour.'),
    );
    const last = await service.handlers['datasets:preview']({ source: data, offset: 3, limit: 20 });
    expect(last.records).toHaveLength(1);
    expect(last.more).toBe(false);
  });

  it('makes the short-completion copy beside the file and adds it to the list', async () => {
    const r = await service.handlers['datasets:make-short']({ source: data, tokenizer: 'byte' });
    const target = join(dir, 'tiny.short.jsonl');
    expect(r.dataset).toMatchObject({ source: target, registered: true });
    expect(existsSync(target)).toBe(true);
    expect(r.records).toBe(4);
    // Record 0 and 2 have completions longer than their prompts.
    expect(r.transformed).toBe(2);
    const stats = await byteStats(target);
    expect(stats.stats.completionPromptRatio).toBeLessThan(1);
    await expect(
      service.handlers['datasets:make-short']({ source: data, tokenizer: 'byte' }),
    ).rejects.toThrow(/tiny\.short\.jsonl: already exists/);
  });

  it('names the file, line and field of a malformed record, and keeps the rest of the list', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      `${JSON.stringify(RECORDS[0])}\n${JSON.stringify({ instruction: 'x', input: '', output: 7 })}\n`,
    );
    await service.handlers['datasets:add']({ path: bad });
    await expect(byteStats(bad)).rejects.toThrow(/bad\.jsonl: line 2: field "output": /);
    const list = await service.handlers['datasets:list']({});
    expect(list.map((d) => d.name)).toContain('bad.jsonl');
    expect((await service.handlers['datasets:remove']({ source: bad })).removed).toBe(true);
    expect(existsSync(bad)).toBe(true);
  });
});
