import { describe, expect, it } from 'vitest';
import { providerDescriptors } from '../../../src-main/core/providers/registry';
import { checkChoice, defaultChoice, oldKeyOptions } from '../../../src-main/core/rotation/plan';

const caps = (id: string) => providerDescriptors().find((d) => d.id === id)!.capabilities;

describe('what rotation may do with the old key, per provider', () => {
  it('offers a grace period first wherever the provider can hold two keys, and the provider’s own expiry where it has one', () => {
    const table = Object.fromEntries(
      providerDescriptors()
        .filter((d) => d.capabilities.rotation !== 'none')
        .map((d) => [d.id, oldKeyOptions(d.capabilities).map((o) => `${o.kind}${o.providerEnforced ? '(provider)' : ''}${o.then ? `→${o.then.join('|')}` : ''}`)]),
    );
    expect(table).toMatchObject({
      'aws-iam': ['grace→delete|deactivate', 'deactivate', 'delete'],
      'ceph-rgw': ['grace→delete', 'delete'],
      'dell-ecs': ['grace(provider)→delete', 'delete'],
      digitalocean: ['grace→delete', 'delete'],
      'ionos-cloud': ['grace→delete|deactivate', 'deactivate', 'delete'],
      'ionos-object-storage': ['grace→delete', 'delete'],
      'openstack-keystone': ['grace→delete', 'delete'],
      // One key per region and no delete: the reset replaces the key in place.
      'openstack-regions': ['replace'],
    });
    for (const id of Object.keys(table).filter((id) => caps(id).rotation !== 'regenerate')) expect(defaultChoice(oldKeyOptions(caps(id)))).toMatchObject({ kind: 'grace', days: 7 });
  });

  it('leaves nothing to choose for reset-in-place providers', () => {
    const options = oldKeyOptions({ ...caps('ceph-rgw'), rotation: 'regenerate' });
    expect(options).toEqual([{ kind: 'replace' }]);
    expect(defaultChoice(options)).toEqual({ kind: 'replace' });
  });

  it('refuses choices the provider cannot carry out, and grace periods outside 1–365 whole days', () => {
    expect(() => checkChoice({ kind: 'deactivate', days: 7 }, caps('ceph-rgw'), 'Ceph RGW')).toThrow('Ceph RGW cannot deactivate the old key during rotation.');
    expect(() => checkChoice({ kind: 'grace', days: 7, then: 'deactivate' }, caps('dell-ecs'), 'Dell ECS')).toThrow(/cannot keep the old key for a grace period and then deactivate it/);
    expect(() => checkChoice({ kind: 'delete' }, { ...caps('ceph-rgw'), rotation: 'regenerate' }, 'X')).toThrow(/cannot delete the old key/);
    for (const days of [0, 1.5, 366]) expect(() => checkChoice({ kind: 'grace', days, then: 'delete' }, caps('aws-iam'), 'AWS')).toThrow(/1 to 365 whole days/);
    expect(checkChoice({ kind: 'grace', days: 30, then: 'deactivate' }, caps('aws-iam'), 'AWS')).toMatchObject({ kind: 'grace' });
    expect(checkChoice({ kind: 'grace', days: 30, then: 'delete' }, caps('dell-ecs'), 'ECS')).toMatchObject({ providerEnforced: true });
  });
});
