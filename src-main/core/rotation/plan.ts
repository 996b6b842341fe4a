import { KeydeskError } from '../errors';
import type { ProviderCapabilities } from '../providers/adapter';

/** How rotation revokes the old key (from the provider's capabilities). */
export type RotationStrategy = 'two-slot' | 'create-then-delete' | 'regenerate';

export const GRACE_DAYS = { default: 7, min: 1, max: 365 } as const;

/**
 * What happens to the old key once every saved credential uses the new one, as chosen in the rotation
 * dialog. `grace`: it keeps working for `days` (AWS's "update consumers, then deactivate, delete later");
 * `deactivate`: switched off now (undoable) and deleted after `days`; `delete`: gone now; `replace`: a
 * reset-in-place provider gave the same key a new secret, so nothing of the old one is left.
 */
export type OldKeyChoice =
  | { kind: 'grace'; days: number; then: 'delete' | 'deactivate' }
  | { kind: 'deactivate'; days: number }
  | { kind: 'delete' }
  | { kind: 'replace' };

export interface OldKeyOption {
  kind: OldKeyChoice['kind'];
  /** grace only: the provider ends the old secret itself (Dell ECS), so Keydesk cannot extend or restore it. */
  providerEnforced?: boolean;
  /** grace only: what may happen when the grace period ends. */
  then?: ('delete' | 'deactivate')[];
}

/** What the provider allows for the old key, most forgiving first; the first is the default. */
export function oldKeyOptions(capabilities: ProviderCapabilities, strategy: ProviderCapabilities['rotation'] = capabilities.rotation): OldKeyOption[] {
  if (strategy === 'regenerate') return [{ kind: 'replace' }];
  const then: ('delete' | 'deactivate')[] = [];
  if (capabilities.canDelete) then.push('delete');
  if (capabilities.canDeactivate) then.push('deactivate');
  const options: OldKeyOption[] = [];
  // The provider's own expiry only ends a secret: it is the grace period wherever the provider has one.
  if (capabilities.hasGracePeriod && capabilities.canDelete) options.push({ kind: 'grace', providerEnforced: true, then: ['delete'] });
  else if (then.length) options.push({ kind: 'grace', then });
  if (capabilities.canDeactivate && capabilities.canDelete) options.push({ kind: 'deactivate' });
  if (capabilities.canDelete) options.push({ kind: 'delete' });
  return options;
}

export function defaultChoice(options: OldKeyOption[]): OldKeyChoice {
  const first = options[0];
  if (!first || first.kind === 'replace') return { kind: 'replace' };
  if (first.kind === 'grace') return { kind: 'grace', days: GRACE_DAYS.default, then: first.then?.[0] ?? 'delete' };
  if (first.kind === 'deactivate') return { kind: 'deactivate', days: GRACE_DAYS.default };
  return { kind: 'delete' };
}

/** Refuses a choice the provider cannot carry out (the renderer offers only valid ones; main checks again). */
export function checkChoice(choice: OldKeyChoice, capabilities: ProviderCapabilities, providerName: string, strategy = capabilities.rotation): OldKeyOption {
  const option = oldKeyOptions(capabilities, strategy).find((o) => o.kind === choice.kind);
  if (!option || (choice.kind === 'grace' && !option.then?.includes(choice.then))) {
    const what = choice.kind === 'grace' ? `keep the old key for a grace period and then ${choice.then} it` : `${choice.kind} the old key`;
    throw new KeydeskError({ code: 'INVALID_INPUT', provider: providerName, message: `${providerName} cannot ${what} during rotation.` });
  }
  if ('days' in choice && !(Number.isInteger(choice.days) && choice.days >= GRACE_DAYS.min && choice.days <= GRACE_DAYS.max)) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `A grace period is ${GRACE_DAYS.min} to ${GRACE_DAYS.max} whole days.` });
  }
  return option;
}
