/**
 * Web mode's gate and API transport against the real workspace service on a temp database:
 * the token is required for pages and the WebSocket, foreign Host and Origin headers are
 * refused, and every request payload is validated before a handler sees it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import { startWebServer, type WebServer } from '../../src-main/server/web-server';
import type { WireMessage } from '../../src-shared/api';
import { workspaceWithScores } from './helpers';

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<WireMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: unknown): void => {
      const msg = JSON.parse(String(data)) as WireMessage;
      if (msg.kind === 'response' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, channel, payload }));
  });
}

describe('plw serve: the web server', () => {
  let dir: string;
  let service: WorkspaceService;
  let server: WebServer;
  let sweepId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-web-'));
    const staticDir = join(dir, 'renderer');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>PLW Studio</title>');
    const db = join(dir, 'w.db');
    sweepId = workspaceWithScores(db).sweepId;
    service = await openWorkspaceService({
      dbPath: db,
      builtins: { models: ['tiny-byte'], datasets: {}, tasks: ['demo_mc'] },
      workers: 1,
    });
    server = await startWebServer({
      handlers: service.handlers,
      events: service.events,
      staticDir,
    });
  });

  afterAll(async () => {
    await server?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and refuses pages without the right token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    expect(await get(server.port, '/')).toBe(401);
    expect(await get(server.port, '/?token=nope')).toBe(401);
    expect(await get(server.port, `/?token=${server.token}`)).toBe(200);
    expect(await get(server.port, '/', { cookie: `plw_token=${server.token}` })).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    expect(await get(server.port, `/?token=${server.token}`, { host: 'evil.example:80' })).toBe(
      403,
    );
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/api`;
    await expect(connect(base)).rejects.toThrow(/401/);
    await expect(
      connect(`${base}?token=${server.token}`, { origin: 'http://evil.example' }),
    ).rejects.toThrow(/401/);
    const ws = await connect(`${base}?token=${server.token}`, {
      origin: `http://127.0.0.1:${server.port}`,
    });
    ws.close();
  });

  it('validates every payload and answers real data over the socket', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    try {
      const unknown = await call(ws, 1, 'fs:read', {});
      expect(unknown).toMatchObject({ ok: false, error: { code: 'bad_usage' } });
      const bad = await call(ws, 2, 'cells:get', { id: 'DROP TABLE' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      const extra = await call(ws, 3, 'sweeps:list', { sneaky: true });
      expect(extra).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      const list = await call(ws, 4, 'sweeps:list', {});
      expect(list.kind === 'response' && list.ok && list.result).toEqual([
        expect.objectContaining({ id: sweepId, name: 'scored', cells: 8 }),
      ]);
      const analysis = await call(ws, 5, 'analysis:get', { sweepId });
      expect(analysis.kind === 'response' && analysis.ok).toBe(true);
      const groups = (analysis as { result: { groups: { verdict: string }[] } }).result.groups;
      expect(groups).toHaveLength(2);
      for (const g of groups) expect(g.verdict).toMatch(/PLW matters|no detectable effect/);
    } finally {
      ws.close();
    }
  });
});
