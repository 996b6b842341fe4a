import { KeydeskError, toErrorInfo } from '../core/errors';
import { log } from '../core/redact';
import type { Envelope } from './channel';
import { channels, type ChannelName, type Handlers } from './contract';
import { describeValue, shapeProblem } from './payload-limits';

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

const invalid = (message: string): Envelope<never> => ({ ok: false, error: { code: 'INVALID_INPUT', message } });

/**
 * The single entry for IPC and the browser-mode bridge: validates the payload against the contract,
 * runs the handler, and turns every failure into an Envelope — never a crash or unhandled rejection.
 * Nothing here calls into the request (no String(), no recursion) before its shape is known to be bounded.
 */
export async function dispatch(handlers: Handlers, name: unknown, payload: unknown): Promise<Envelope<unknown>> {
  if (!isChannelName(name)) return invalid(`Unknown channel ${describeValue(name)}.`);
  const tooBig = shapeProblem(payload);
  if (tooBig) return invalid(`Invalid request for ${name}: the payload has ${tooBig}.`);
  try {
    const parsed = channels[name].input.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.map(String).join('.') || 'payload'}: ${issue.message}`)
        .join('; ');
      return invalid(`Invalid request for ${name}: ${issues}.`);
    }
    const handler = handlers[name] as (payload: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (!(error instanceof KeydeskError)) log.warn(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : describeValue(error)}`);
    return { ok: false, error: toErrorInfo(error) };
  }
}
