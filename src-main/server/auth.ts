/**
 * Web mode's access control: a random per-run token, checked in constant time, carried in
 * the first URL (`/?token=…`) and then in an HttpOnly SameSite=Strict cookie; plus Host and
 * Origin checks so another site (or a DNS-rebinding page) cannot reach the API.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE_NAME = 'plw_token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE_NAME) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** The token a request presents, from the query string or the cookie. */
export function presentedToken(req: IncomingMessage): string | null {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return url.searchParams.get('token') ?? cookieToken(req);
}

/** Only our own loopback origin may talk to the server (DNS rebinding, cross-site requests). */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // non-browser clients (tests, scripts) send none
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}
