import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The default workspace database: one file in the user's app-data folder, where each OS expects
 * per-user application state (so it survives reinstalls and is not synced like Documents).
 */
export function defaultDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  return join(appDataDir(env, platform, home), 'plw-studio', 'workspace.db');
}

function appDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  // XDG Base Directory: an empty or relative XDG_DATA_HOME must be ignored.
  const xdg = env.XDG_DATA_HOME;
  return xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share');
}

/** The app's own workers keep checkpoints beside the database: `checkpoints/<cell>/`. */
export function checkpointsRoot(dbPath: string): string {
  return resolve(dbPath, '..', 'checkpoints');
}

/** `--db PATH` when given, else the default workspace. */
export function dbPathOption(db: string | undefined): string {
  return db === undefined ? defaultDbPath() : resolve(db);
}
