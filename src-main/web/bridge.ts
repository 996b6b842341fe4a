import type { RawData, WebSocket } from 'ws';
import type { ErrorInfo } from '../core/errors';
import { log } from '../core/redact';
import type { Envelope } from '../ipc/channel';
import type { Handlers } from '../ipc/contract';
import { dispatch } from '../ipc/dispatch';
import type { EventBus } from '../ipc/events';
import { jsonDepthProblem } from '../ipc/payload-limits';

/**
 * One browser-mode connection: `{ id, channel, payload }` text frames in, `{ id, envelope }` and
 * `{ event, payload }` out. Whatever a peer sends gets a typed answer — `{ error }` when the frame has no
 * usable id — or, for frames the WebSocket protocol itself refuses, a close with the protocol's code.
 */

export interface BridgeLimits {
  /** Calls one connection may have running at once; more are answered LIMIT_REACHED. */
  maxInFlight: number;
  /** How often the peer must answer a ping; a peer that misses one is dropped. */
  heartbeatMs: number;
  /** Bytes queued for a peer that does not read; past this it is dropped rather than fill memory. */
  maxBufferedBytes: number;
}

export function serveBridge(ws: WebSocket, handlers: Handlers, events: EventBus, limits: BridgeLimits): void {
  let inFlight = 0;
  let answeredPing = true;

  // ws reports bad frames (invalid UTF-8, too large, protocol errors) here and closes with the right code;
  // without a listener the error would be thrown and end the process.
  ws.on('error', (error) => log.warn(`Browser-mode connection closed: ${error.message}`));

  const send = (message: object) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      log.warn('Browser-mode connection dropped: the page stopped reading.');
      ws.terminate();
      return;
    }
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      log.warn(`Browser-mode answer could not be sent: ${(error as Error).message}`);
      const id = (message as { id?: number }).id;
      text = JSON.stringify({ id, envelope: { ok: false, error: { code: 'INTERNAL', message: 'Keydesk could not send its answer. Try again.' } } });
    }
    ws.send(text, () => {}); // a failed send means the connection is going: its close handler cleans up
  };

  const unsubscribe = events.subscribe((event, payload) => send({ event, payload }));
  const heartbeat = setInterval(() => {
    if (!answeredPing) return ws.terminate();
    answeredPing = false;
    ws.ping();
  }, limits.heartbeatMs);
  ws.on('pong', () => (answeredPing = true));
  ws.on('close', () => {
    unsubscribe();
    clearInterval(heartbeat);
  });

  ws.on('message', (data, isBinary) => {
    const request = readRequest(data, isBinary);
    if ('error' in request) return send(request);
    if (inFlight >= limits.maxInFlight) {
      const error: ErrorInfo = { code: 'LIMIT_REACHED', message: `Too many requests at once (${limits.maxInFlight}): wait for some to finish.` };
      return send({ id: request.id, envelope: { ok: false, error } });
    }
    inFlight++;
    void dispatch(handlers, request.channel, request.payload)
      .catch((): Envelope<unknown> => ({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Keydesk. Try again.' } }))
      .then((envelope) => {
        inFlight--;
        send({ id: request.id, envelope });
      });
  });
}

type Request = { id: number; channel: unknown; payload: unknown } | { error: ErrorInfo };

const PROTOCOL = 'Keydesk expects one JSON object per text frame: {"id": <number>, "channel": "<area:verb>", "payload": …}.';
const refused = (why: string): Request => ({ error: { code: 'INVALID_INPUT', message: `${why} ${PROTOCOL}` } });

/** A frame as a request, or why it is not one; nesting is bounded before the text is parsed. */
function readRequest(data: RawData, isBinary: boolean): Request {
  if (isBinary) return refused('Binary frames are not accepted: send text.');
  const text = (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
  const tooDeep = jsonDepthProblem(text);
  if (tooDeep) return refused(`The frame is ${tooDeep}.`);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return refused('The frame is not JSON.');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return refused('The frame is not a JSON object.');
  const { id, channel, payload } = message as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return refused('The frame has no numeric id.');
  return { id, channel, payload };
}
