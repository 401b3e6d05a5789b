import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './url';

/**
 * ioredis options for one target. `maxRetriesPerRequest: null` is what BullMQ's blocking
 * connections need: commands wait for a reconnect (a Redis restart) instead of failing.
 */
export function redisOptions(t: RedisTarget): RedisOptions {
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username === undefined ? {} : { username: t.username }),
    ...(t.password === undefined ? {} : { password: t.password }),
    ...(t.tls ? { tls: { servername: t.host } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}

/** The same options as BullMQ types them (its Queue, Worker and QueueEvents make clients). */
export function bullConnection(t: RedisTarget): BullRedisOptions {
  return redisOptions(t) as BullRedisOptions;
}

/** A plain client (streams, pub/sub, the cell → job hash), besides BullMQ's own connections. */
export function connectRedis(t: RedisTarget): Redis {
  return new Redis(redisOptions(t));
}

/** One entry read from a stream: id and its field list. */
export type StreamEntry = [id: string, fields: string[]];

/** XREAD of one stream after `cursor`; null when nothing arrived within `blockMs`. */
export async function readStream(
  redis: Redis,
  key: string,
  cursor: string,
  count: number,
  blockMs: number,
): Promise<StreamEntry[] | null> {
  const reply = (await redis.call(
    'XREAD',
    'COUNT',
    count,
    'BLOCK',
    blockMs,
    'STREAMS',
    key,
    cursor,
  )) as [string, StreamEntry[]][] | null;
  return reply === null ? null : (reply[0]?.[1] ?? null);
}
