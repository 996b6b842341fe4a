import type { z } from 'zod';
import type { ErrorInfo } from '../core/errors';

/** A channel's payload schema (validated in main) and, as a phantom type, its result. */
export interface ChannelDef<Input extends z.ZodType, Result> {
  input: Input;
  readonly result?: Result;
}

export function channel<Result>() {
  return <Input extends z.ZodType>(input: Input): ChannelDef<Input, Result> => ({ input });
}

/** What crosses the wire: errors travel as data because Electron and contextBridge drop error fields. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
