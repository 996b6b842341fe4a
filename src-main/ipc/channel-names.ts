/** The contract's channel and event names as plain data, so the sandboxed preload need not bundle zod. */
export const channelNames = [
  'app:info',
  'vault:status',
  'app:openExternal',
  'credentials:list',
  'credentials:test',
  'credentials:add',
  'credentials:update',
  'credentials:remove',
  'buckets:list',
] as const;

export const eventNames = ['credentials:changed'] as const;

/** IPC channel prefix for main → renderer events. */
export const EVENT_PREFIX = 'keydesk-event:';
