import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { PlwError } from '../../src-shared/errors';

/**
 * One process runs cells of a workspace at a time: `<db>.run-lock` holds its pid. A second
 * `plw sweep run` (or app) on the same file would re-queue the first one's running cells as
 * "left by a killed process" and train them twice. A lock whose process is gone (killed, power
 * loss) is stale and taken over, which is what makes restarting after SIGKILL work.
 */
export class RunLock {
  private constructor(private readonly file: string) {}

  /**
   * Takes the lock when it is free or stale, else says which live process holds it (the
   * caller then watches the workspace instead of running it).
   */
  static tryAcquire(dbPath: string): RunLock | { holder: number } {
    const file = `${dbPath}.run-lock`;
    for (let tries = 0; tries < 3; tries++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        return new RunLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number(readText(file));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        return { holder };
      }
      removeQuietly(file);
    }
    throw new PlwError('internal', `${file}: cannot take the workspace run lock`);
  }

  release(): void {
    if (readText(this.file) === String(process.pid)) removeQuietly(this.file);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: another process took over the stale lock first.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
