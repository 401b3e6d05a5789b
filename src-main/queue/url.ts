import { PlwError } from '../../src-shared/errors';

/** What ioredis needs to reach one Redis server, parsed from a `redis://` or `rediss://` URL. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with its password replaced by `***`: the only form that is ever printed. */
  display: string;
}

/**
 * Parses `redis://[[USER]:PASSWORD@]HOST:PORT[/DB]` or the TLS form `rediss://…`. Throws a
 * bad_usage error whose message shows the URL redacted, never the password.
 */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PlwError(
      'bad_usage',
      `--queue: "${redactUrl(url)}" is not a URL; expected redis://[:PASSWORD@]HOST:PORT[/DB]`,
    );
  }
  const display = redactUrl(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new PlwError(
      'bad_usage',
      `--queue: "${display}" must start with redis:// or rediss:// (TLS)`,
    );
  }
  if (u.hostname === '') throw new PlwError('bad_usage', `--queue: "${display}" names no host`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) {
    throw new PlwError(
      'bad_usage',
      `--queue: "${display}": the database must be a number, not "${path}"`,
    );
  }
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  const username = u.username === '' ? undefined : decodeURIComponent(u.username);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    tls: u.protocol === 'rediss:',
    display,
    ...(password === undefined ? {} : { password }),
    ...(username === undefined ? {} : { username }),
  };
}

/** The URL with any password replaced by `***` (also for strings that are not valid URLs). */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)([^@/]*)@/, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return colon < 0 ? `${scheme}${auth}@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}

/** Removes every occurrence of `secret` (the password) from a message before it is shown. */
export function redact(message: string, secret: string | undefined): string {
  if (secret === undefined || secret === '') return message;
  return message.split(secret).join('***');
}
