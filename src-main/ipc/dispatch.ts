import { KeydeskError, toErrorInfo } from '../core/errors';
import { log } from '../core/redact';
import type { Envelope } from './channel';
import { channels, type ChannelName, type Handlers } from './contract';

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

/**
 * The single entry for IPC and the browser-mode bridge: validates the payload against the contract,
 * runs the handler, and turns every failure into an Envelope — never a crash or unhandled rejection.
 */
export async function dispatch(handlers: Handlers, name: unknown, payload: unknown): Promise<Envelope<unknown>> {
  if (!isChannelName(name)) {
    return { ok: false, error: { code: 'INVALID_INPUT', message: `Unknown channel ${JSON.stringify(String(name)).slice(0, 80)}.` } };
  }
  const parsed = channels[name].input.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
      .join('; ');
    return { ok: false, error: { code: 'INVALID_INPUT', message: `Invalid request for ${name}: ${issues}.` } };
  }
  try {
    const handler = handlers[name] as (payload: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (!(error instanceof KeydeskError)) log.warn(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { ok: false, error: toErrorInfo(error) };
  }
}
