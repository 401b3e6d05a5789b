/**
 * Starts the real app in web mode (`plw serve` in a child process, temp workspace) and Debian's
 * Chromium through playwright-core. No mocks: the browser talks to the real server, which runs
 * real workers on a real SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/paths';

export const CHROMIUM = process.env.PLW_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

/** Browser tests need Chromium; under CI a missing browser is a failure, never a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: CI must install it (scripts/setup-test-deps.sh)`,
    );
  }
  return false;
}

export interface ServedApp {
  url: string;
  port: number;
  token: string;
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

export async function serve(dbPath: string, extraArgs: string[] = []): Promise<ServedApp> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin/plw.mjs'), 'serve', '--db', dbPath, '--port', '0', ...extraArgs],
    { cwd: REPO_ROOT, env: { ...process.env, PLW_NO_OPEN: '1' } },
  );
  let err = '';
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`plw serve printed no URL:\n${err}`)), 60_000);
    const check = (): void => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out + err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => reject(new Error(`plw serve exited (${code}):\n${err}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    process: child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
