/**
 * A sweep's trainer / evaluator commands run only on `plw worker --allow-commands`: on a real
 * redis-server with real worker processes, a worker started without the flag fails the cell,
 * naming itself and the flag, and runs nothing; one started with it runs the command.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plwAsync } from '../helpers/cli';
import { PlwProcess, queueSweep, queueTempDir, readCells, startWorker } from './helpers';
import { redisAvailable, TestRedis } from './redis-server';

describe.skipIf(!redisAvailable())('trainer commands on queue workers', () => {
  let redis: TestRedis;
  const workers: PlwProcess[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.stop();
  });

  it('run only on a worker started with --allow-commands', async () => {
    const dir = queueTempDir();
    const artifacts = join(dir, 'artifacts');
    const marker = (name: string): string => join(dir, `ran-${name}`);
    // The trainer leaves a marker and writes no model: the cell fails either way, but only
    // after running it where commands are allowed.
    const sweep = (name: string): string =>
      queueSweep(dir, name, [0], { trainer: { command: ['touch', marker(name)] } });

    const plain = await startWorker(redis.url, 'plain', dir, artifacts);
    workers.push(plain);
    const refusedDb = join(dir, 'refused.db');
    const refused = await plwAsync([
      'sweep',
      'run',
      sweep('refused'),
      '--db',
      refusedDb,
      '--queue',
      redis.url,
    ]);
    expect(refused.code).not.toBe(0);
    const [cell] = readCells(refusedDb);
    expect(cell).toMatchObject({ state: 'failed', worker: 'plain' });
    expect(cell!.error).toContain(
      "worker plain: refuses to run the cell's trainer/evaluator commands (start it with plw worker --allow-commands)",
    );
    expect(existsSync(marker('refused'))).toBe(false);
    await plain.kill();

    workers.push(await startWorker(redis.url, 'trusted', dir, artifacts, ['--allow-commands']));
    const allowedDb = join(dir, 'allowed.db');
    await plwAsync(['sweep', 'run', sweep('allowed'), '--db', allowedDb, '--queue', redis.url]);
    const [ran] = readCells(allowedDb);
    expect(ran).toMatchObject({ state: 'failed', worker: 'trusted' });
    expect(ran!.error).toMatch(/^worker trusted: trainer exited with status 0 but wrote no model/);
    expect(existsSync(marker('allowed'))).toBe(true);
  }, 120_000);
});
