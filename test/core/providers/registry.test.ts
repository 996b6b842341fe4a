import { describe, expect, it } from 'vitest';
import { getAdapter, providerDescriptors } from '../../../src-main/core/providers/registry';

describe('provider registry', () => {
  it('discovers the provider adapters by their ids', () => {
    const ids = providerDescriptors().map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['ceph-rgw', 'openstack-keystone', 'aws-iam', 'manual']));
    for (const id of ['ceph-rgw', 'openstack-keystone', 'aws-iam', 'manual']) expect(getAdapter(id).descriptor.id).toBe(id);
  });

  it('gives every provider with an account uniquely named account fields with at least one secret', () => {
    for (const descriptor of providerDescriptors()) {
      const names = descriptor.accountFields.map((f) => f.name);
      expect(new Set(names).size, descriptor.id).toBe(names.length);
      // A pasted-key provider has no account, so nothing to sign in with.
      expect(descriptor.accountFields.some((f) => f.kind === 'secret'), descriptor.id).toBe(!descriptor.pastedKeyOnly);
      for (const field of descriptor.accountFields.filter((f) => f.kind === 'select')) expect(field.options?.length, `${descriptor.id}.${field.name}`).toBeGreaterThan(0);
    }
  });
});
