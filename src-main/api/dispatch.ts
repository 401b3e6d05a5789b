/**
 * The one place an API request from any shell (Electron IPC, web-mode WebSocket) is validated
 * and dispatched. Untrusted payloads never reach a handler unparsed.
 */
import {
  isChannel,
  requestSchemas,
  type Channel,
  type PlwHandlers,
  type ResponseMap,
} from '../../src-shared/api';
import { PlwError, toErrorData, type ErrorData } from '../../src-shared/errors';

export type DispatchResult =
  { ok: true; result: ResponseMap[Channel] } | { ok: false; error: ErrorData };

export async function dispatch(
  handlers: PlwHandlers,
  channel: unknown,
  payload: unknown,
): Promise<DispatchResult> {
  if (!isChannel(channel)) {
    return {
      ok: false,
      error: { code: 'bad_usage', message: `unknown channel: ${String(channel)}` },
    };
  }
  const parsed = requestSchemas[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    return {
      ok: false,
      error: {
        code: 'bad_input',
        message: `${channel}: invalid request${where}: ${first?.message ?? 'malformed'}`,
      },
    };
  }
  try {
    // The schema map and handler map share keys; TypeScript cannot correlate them through the
    // union, so the call goes through one narrow cast.
    const handler = handlers[channel] as (req: unknown) => Promise<ResponseMap[Channel]>;
    return { ok: true, result: await handler(parsed.data) };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}

/** Turns an ErrorData that crossed a boundary back into a thrown error on the calling side. */
export function errorFromData(data: ErrorData): PlwError {
  return new PlwError(data.code, data.message, data.detail);
}
