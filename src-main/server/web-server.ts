/**
 * Web mode (`plw serve`): the built renderer and the API over a WebSocket, on 127.0.0.1 only,
 * behind a per-run token. Requests without the token are refused with 401/403.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PlwHandlers, WireMessage } from '../../src-shared/api';
import { dispatch } from '../api/dispatch';
import type { EventFeed } from '../api/events';
import {
  COOKIE_NAME,
  hostAllowed,
  newToken,
  originAllowed,
  presentedToken,
  tokensEqual,
} from './auth';

export interface WebServerOptions {
  handlers: PlwHandlers;
  events: EventFeed;
  /** Folder with the built renderer (index.html + assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function securityHeaders(port: number): Record<string, string> {
  return {
    // Strict CSP: our own scripts only; recharts sets inline style attributes.
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? newToken();
  const root = resolve(options.staticDir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(
      `the renderer is not built (${join(root, 'index.html')} is missing): run npm run build:web`,
    );
  }
  let port = 0;

  const refuse = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      ...securityHeaders(port),
    });
    res.end(`${text}\n`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req, port)) return refuse(res, 403, 'forbidden host');
    const presented = presentedToken(req);
    if (presented === null || !tokensEqual(presented, token)) {
      return refuse(res, 401, 'missing or wrong token: open the URL that plw serve printed');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, 405, 'method not allowed');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep)) return refuse(res, 403, 'forbidden path');
    const target = existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
    const headers: Record<string, string> = {
      'Content-Type': MIME[extname(target)] ?? 'application/octet-stream',
      ...securityHeaders(port),
    };
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] =
        `${COOKIE_NAME}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    createReadStream(target).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const presented = presentedToken(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (
      path !== '/api' ||
      !hostAllowed(req, port) ||
      !originAllowed(req, port) ||
      presented === null ||
      !tokensEqual(presented, token)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data) => {
      let msg: { kind?: unknown; id?: unknown; channel?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return; // not our protocol; ignore rather than crash
      }
      if (msg.kind !== 'request' || typeof msg.id !== 'number') return;
      const requestId = msg.id;
      void dispatch(options.handlers, msg.channel, msg.payload).then((r) => {
        const reply: WireMessage = r.ok
          ? { kind: 'response', id: requestId, ok: true, result: r.result }
          : { kind: 'response', id: requestId, ok: false, error: r.error };
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
  });

  const unsubscribe = options.events.subscribe((event, payload) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ kind: 'event', event, payload } satisfies WireMessage);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
