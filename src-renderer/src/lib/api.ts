import type { ApiShape, Envelope, ErrorInfo, KeydeskBridge } from '../../../src-main/ipc/contract';
import { createWebBridge } from './web-bridge';

declare global {
  interface Window {
    keydesk?: KeydeskBridge;
  }
}

/** An error from main, with the fields the UI shows (message, hint, provider code, status). */
export class ApiError extends Error implements ErrorInfo {
  readonly code: ErrorInfo['code'];
  readonly hint?: string;
  readonly provider?: string;
  readonly providerCode?: string;
  readonly status?: number;
  readonly existing?: ErrorInfo['existing'];
  readonly certificate?: ErrorInfo['certificate'];

  constructor(info: ErrorInfo) {
    super(info.message);
    this.code = info.code;
    this.hint = info.hint;
    this.provider = info.provider;
    this.providerCode = info.providerCode;
    this.status = info.status;
    this.existing = info.existing;
    this.certificate = info.certificate;
  }
}

export type KeydeskApi = ApiShape<'value'>;

/** The bridge (preload in Electron, WebSocket in browser mode) with envelopes turned into throws. */
function unwrap(bridge: KeydeskBridge): KeydeskApi {
  const api: Record<string, unknown> = {};
  for (const [area, group] of Object.entries(bridge)) {
    if (typeof group === 'function') continue;
    const methods: Record<string, (args?: unknown) => Promise<unknown>> = {};
    for (const [verb, call] of Object.entries(group as Record<string, (args?: unknown) => Promise<Envelope<unknown>>>)) {
      methods[verb] = async (args?: unknown) => {
        const envelope = await call(args);
        if (!envelope.ok) throw new ApiError(envelope.error);
        return envelope.value;
      };
    }
    api[area] = methods;
  }
  api.on = bridge.on;
  api.onConnection = bridge.onConnection;
  return api as KeydeskApi;
}

/** Browser mode: no preload, so the page talks to `npm run web` over its WebSocket. */
export const browserMode = !window.keydesk;
export const api: KeydeskApi = unwrap(window.keydesk ?? createWebBridge(window.location));

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof ApiError) return error;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
