import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountService } from '../../../src-main/core/accounts/account-service';
import { fieldRequired, fieldShown, optionalNote } from '../../../src-main/core/providers/account-fields';
import type { AccountField } from '../../../src-main/core/providers/adapter';
import { getAdapter, providerDescriptors } from '../../../src-main/core/providers/registry';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { MemorySecrets } from '../../helpers/memory-secrets';

const fieldsOf = (id: string) => getAdapter(id).descriptor.accountFields;
/** What the form shows for a provider and the choices made: each shown field, and whether it is required. */
function form(id: string, values: Record<string, string>): Record<string, boolean> {
  const fields = fieldsOf(id);
  return Object.fromEntries(fields.filter((field) => fieldShown(field, fields, values)).map((field) => [field.name, fieldRequired(field, fields, values)]));
}

describe('account fields that depend on the sign-in method', () => {
  it('OpenStack: user name, password and domains with a password; the credential’s ID and secret with an application credential', () => {
    expect(form('openstack-keystone', {})).toMatchObject({ authUrl: true, authMethod: true, username: true, userDomain: true, password: true, projectName: false, projectDomain: false, s3Endpoint: true });
    expect(form('openstack-keystone', {})).not.toHaveProperty('applicationCredentialId');
    const app = form('openstack-keystone', { authMethod: 'application_credential' });
    expect(app).toMatchObject({ applicationCredentialId: true, applicationCredentialSecret: true });
    for (const name of ['username', 'password', 'userDomain', 'projectName', 'projectDomain']) expect(app, name).not.toHaveProperty(name);
  });

  it('IONOS: a token and the user ID, or a user name and password (the user ID then optional)', () => {
    expect(form('ionos-cloud', {})).toMatchObject({ authMethod: true, token: true, userId: true });
    expect(form('ionos-cloud', {})).not.toHaveProperty('password');
    const password = form('ionos-cloud', { authMethod: 'password' });
    expect(password).toMatchObject({ username: true, password: true, userId: false });
    expect(password).not.toHaveProperty('token');
  });

  it('GleSYS: data-center endpoints say when they are needed instead of "(optional)"', () => {
    const endpoint = fieldsOf('glesys').find((field) => field.name === 'endpoint-dc-sto1')!;
    expect(fieldRequired(endpoint, fieldsOf('glesys'), {})).toBe(false);
    expect(optionalNote(endpoint)).toBe('(required if the project has an instance in Stockholm)');
    expect(optionalNote(fieldsOf('glesys').find((field) => field.name === 'apiUrl')!)).toBe('(optional)');
  });

  it('every condition names a select field of the same provider and values it offers', () => {
    for (const descriptor of providerDescriptors()) {
      for (const field of descriptor.accountFields) {
        for (const when of [field.shownWhen, field.requiredWhen]) {
          if (!when || 'note' in when) continue;
          const target = descriptor.accountFields.find((other) => other.name === when.field);
          expect(target?.kind, `${descriptor.id}.${field.name}`).toBe('select');
          for (const value of when.equals) expect(target?.options?.map((o) => o.value), `${descriptor.id}.${field.name}`).toContain(value);
        }
      }
    }
  });

  it('a field shown only for one method counts only then', () => {
    const fields: AccountField[] = [
      { name: 'method', label: 'Method', kind: 'select', required: true, defaultValue: 'a', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
      { name: 'onlyB', label: 'Only B', kind: 'text', required: true, shownWhen: { field: 'method', equals: ['b'] } },
      { name: 'neededWithA', label: 'With A', kind: 'text', required: false, requiredWhen: { field: 'method', equals: ['a'] } },
    ];
    expect([fieldShown(fields[1], fields, {}), fieldRequired(fields[1], fields, {}), fieldRequired(fields[2], fields, {})]).toEqual([false, false, true]);
    expect([fieldShown(fields[1], fields, { method: 'b' }), fieldRequired(fields[1], fields, { method: 'b' }), fieldRequired(fields[2], fields, { method: 'b' })]).toEqual([true, true, false]);
  });
});

describe('AccountService applies the same rules before calling the provider', () => {
  async function service() {
    const secrets = new MemorySecrets();
    const metadata = new MetadataStore(openConfStore(await mkdtemp(join(tmpdir(), 'keydesk-fields-'))));
    return { secrets, metadata, accounts: new AccountService(metadata, secrets) };
  }

  it('asks for the fields of the chosen method, by name', async () => {
    const { accounts, metadata } = await service();
    const base = { authUrl: 'https://keystone.example.com:5000/v3', s3Endpoint: 'https://s3.example.com' };
    await expect(accounts.add({ providerId: 'openstack-keystone', label: '', fields: { ...base, authMethod: 'password', password: 'pw' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Enter the User name.',
    });
    await expect(accounts.add({ providerId: 'openstack-keystone', label: '', fields: { ...base, authMethod: 'application_credential', username: 'ann', password: 'pw' } })).rejects.toMatchObject({
      message: 'Enter the Application credential ID.',
    });
    await expect(accounts.add({ providerId: 'ionos-cloud', label: '', fields: { authMethod: 'token', token: 't' } })).rejects.toMatchObject({ message: 'Enter the User ID.' });
    await expect(accounts.add({ providerId: 'ionos-cloud', label: '', fields: { authMethod: 'sso', token: 't', userId: 'u' } })).rejects.toMatchObject({
      message: '"sso" is not one of the choices for the Sign in with.',
    });
    expect(metadata.accounts()).toEqual([]);
  });

  it('reads URL fields as endpoints are read: a scheme added, a bad one refused with the reason', async () => {
    const { accounts } = await service();
    await expect(
      accounts.add({ providerId: 'ceph-rgw', label: '', fields: { endpoint: 'ftp://rgw.example.com', accessKeyId: 'a', secretAccessKey: 'b' } }),
    ).rejects.toMatchObject({ message: 'The Admin API endpoint: The endpoint must start with https:// or http://, not ftp://.' });
  });
});
