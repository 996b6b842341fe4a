/**
 * The code main and the renderer both run, so a rule (a shortcut, an endpoint reading, a bucket name check)
 * is written once and the window agrees with what main will accept. The renderer imports main's values only
 * from here and its types only from the contract; test/renderer/imports.test.ts keeps it so, and keeps
 * everything this module reaches free of Node and Electron, since it is bundled into the renderer.
 */
// The link to main: call bookkeeping, heartbeat and the contract's names as plain data (browser mode's bridge).
export { browserModeLoss, CallGuard, HEARTBEAT_TIMEOUT_MS, startHeartbeat } from './call-guard';
export { channelNames, eventNames } from './channel-names';
export { keySteps, shortcut, SHORTCUT_AREAS, SHORTCUTS } from './shortcuts';
// Checks and limits main applies to a channel's payload, run in the window first.
export { appNavigationSchema, placeSchema } from './channels/app';
export { bucketNameProblem } from './channels/bucket-names';
export { MAX_DELETE_KEYS } from './payload-limits';
export { checkPolicy, POLICY_TEMPLATES } from './channels/policy-check';
export { etaSeconds } from '../core/transfers/speed';
// Connection and account forms: endpoint presets and readings, which provider fields apply.
export { fieldRequired, fieldShown, optionalNote } from '../core/providers/account-fields';
export { describeReading, readEndpoint } from '../core/s3/endpoint-input';
export { ENDPOINT_PRESETS, presetById, recognisePreset } from '../core/s3/endpoint-presets';
// How old a key is and when it is due for rotation.
export { describeAge, describeDue, keyAge } from '../core/rotation/policy';
