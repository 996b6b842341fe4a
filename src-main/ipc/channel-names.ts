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
  'providers:list',
  'accounts:list',
  'accounts:add',
  'accounts:remove',
  'keys:owners',
  'keys:regions',
  'keys:list',
  'keys:create',
  'keys:regenerate',
  'keys:setActive',
  'keys:delete',
  'keys:showSecret',
  'keys:setDescription',
  'keys:setOwnerSuspended',
  'rotation:run',
  'rotation:cancel',
  'rotation:due',
  'import:scan',
  'import:run',
  'credentials:snippets',
  'credentials:revealForSnippet',
] as const;

export const eventNames = ['credentials:changed', 'rotation:progress', 'app:navigate'] as const;

/** IPC channel prefix for main → renderer events. */
export const EVENT_PREFIX = 'keydesk-event:';
