import { KeydeskError, type ErrorInfo } from '../errors';
import type { ServerProfile, ServerProfiles, SettingArea } from './server-profile';
import type { S3Session } from './session';

/**
 * One bucket or object setting as the UI shows it: its value, or why it cannot be shown. A server that
 * does not implement a setting is "unavailable" with a sentence, never a raw error.
 */
export type Setting<T> =
  | { state: 'ok'; value: T }
  | { state: 'unavailable'; reason: string }
  | { state: 'denied'; reason: string }
  | { state: 'error'; error: ErrorInfo };

/** A session with what is known about its server. */
export interface ServerContext {
  session: S3Session;
  profiles: ServerProfiles;
  profile: ServerProfile;
  signal?: AbortSignal;
}

export async function serverContext(session: S3Session, profiles: ServerProfiles, bucket: string, signal?: AbortSignal): Promise<ServerContext> {
  return { session, profiles, profile: await profiles.profile(session, bucket, signal), signal };
}

export interface AreaSpec<T> {
  area: SettingArea;
  /** Names the setting in sentences: "lifecycle rules". */
  what: string;
  /** Error codes meaning "implemented, nothing set" (NoSuchLifecycleConfiguration…), read as `empty`. */
  emptyCodes: string[];
  empty: T;
}

/** Codes a server answers for a request it does not implement. */
const NOT_IMPLEMENTED = new Set(['NotImplemented', 'MethodNotAllowed', 'UnsupportedOperation', 'XNotImplemented']);

/**
 * Reads a setting. A success (or an "empty" code) proves the endpoint implements the area, which is
 * what later writes require.
 */
export async function readArea<T>(ctx: ServerContext, spec: AreaSpec<T>, load: () => Promise<T>): Promise<Setting<T>> {
  const known = ctx.profile.unsupported[spec.area];
  if (known) return { state: 'unavailable', reason: known };
  try {
    const value = await load();
    ctx.profiles.prove(ctx.session.endpoint, spec.area);
    return { state: 'ok', value };
  } catch (error) {
    if (!(error instanceof KeydeskError)) throw error;
    if (error.code === 'CANCELLED') throw error;
    if (error.providerCode && spec.emptyCodes.includes(error.providerCode)) {
      ctx.profiles.prove(ctx.session.endpoint, spec.area);
      return { state: 'ok', value: spec.empty };
    }
    if (error.code === 'UNSUPPORTED') return { state: 'unavailable', reason: error.message };
    if ((error.providerCode && NOT_IMPLEMENTED.has(error.providerCode)) || error.status === 501) {
      return { state: 'unavailable', reason: `This server does not implement ${spec.what} (${error.providerCode ?? `HTTP ${error.status}`}).` };
    }
    if (error.code === 'ACCESS_DENIED') return { state: 'denied', reason: `This key may not read the ${spec.what} (${error.providerCode ?? 'AccessDenied'}).` };
    return { state: 'error', error: error.toJSON() };
  }
}

/**
 * Runs a write (PUT or DELETE of a sub-resource) only on an endpoint that has shown it implements the
 * area: known gaps are refused, and an area not read yet is read first.
 */
export async function writeArea<T, R>(ctx: ServerContext, spec: AreaSpec<T>, load: () => Promise<T>, write: () => Promise<R>): Promise<R> {
  if (!ctx.profiles.isProven(ctx.session.endpoint, spec.area)) {
    const current = await readArea(ctx, spec, load);
    if (current.state === 'unavailable') throw new KeydeskError({ code: 'UNSUPPORTED', message: current.reason });
    if (current.state === 'denied') throw new KeydeskError({ code: 'ACCESS_DENIED', message: current.reason });
    if (current.state === 'error') throw new KeydeskError(current.error);
  }
  try {
    return await write();
  } catch (error) {
    // Some servers read a setting (a canned answer) but refuse to change it.
    if (error instanceof KeydeskError && ((error.providerCode && NOT_IMPLEMENTED.has(error.providerCode)) || error.status === 501)) {
      throw new KeydeskError({ ...error.toJSON(), code: 'UNSUPPORTED', message: `This server shows ${spec.what} but does not implement changing them (${error.providerCode ?? `HTTP ${error.status}`}).` }, { cause: error });
    }
    throw error;
  }
}
