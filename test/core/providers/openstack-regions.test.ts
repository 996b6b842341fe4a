import { describe, expect, it } from 'vitest';
import { parseRows } from '../../../src-main/core/providers/account-settings';
import type { AccountContext, AccountField } from '../../../src-main/core/providers/adapter';
import { acceptedRoles, catalogS3Endpoint, roleRefusal } from '../../../src-main/core/providers/openstack-identity';
import { adapter } from '../../../src-main/core/providers/openstack-regions';
import { startJsonServer } from '../../helpers/json-server';

const regionsField = adapter.descriptor.accountFields.find((field) => field.kind === 'rows') as AccountField;

function connect(regions: unknown, settings: Record<string, string> = {}) {
  return adapter.connect({ accountId: 'a', settings: { regions: JSON.stringify(regions), username: 'u', projectName: 'p', ...settings }, secrets: { password: 'pw' } });
}

describe('rows account fields', () => {
  it('trims values and drops blank rows', () => {
    expect(parseRows(regionsField, JSON.stringify([{ name: ' sto2 ', authUrl: ' https://ks.sto2.example/v3 ', s3Endpoint: '' }, { name: '', authUrl: ' ' }]))).toEqual([
      { name: 'sto2', authUrl: 'https://ks.sto2.example/v3' },
    ]);
  });

  it('refuses what is not a list of rows of text in known columns, naming the row', () => {
    const parse = (raw: string) => () => parseRows(regionsField, raw);
    expect(parse('not json')).toThrow('Regions: not a list of rows.');
    expect(parse('[1]')).toThrow('Regions: row 1 is not a row.');
    expect(parse('[{"name":"a","authUrl":"http://x","bogus":"1"}]')).toThrow('Regions: row 1 has unknown column(s) bogus.');
    expect(parse('[{"name":"a","authUrl":"http://x"},{"name":5}]')).toThrow('Regions: row 2: name is not text.');
    expect(parse('[{"name":"a","authUrl":"http://x","s3Endpoint":"s3"}]')).toThrow('Regions: the S3 endpoint "s3" in row 1 is not a valid URL.');
    expect(parse(JSON.stringify(Array.from({ length: 17 }, (_, i) => ({ name: `r${i}`, authUrl: 'http://x' }))))).toThrow('Regions: at most 16 rows.');
    expect(parse('')).toThrow('Regions: add at least one row.');
  });
});

describe('OpenStack regions: the account', () => {
  it('checks region names and that each region has its own Keystone', () => {
    expect(() => connect([{ name: 'sto 2', authUrl: 'http://a' }])).toThrow('the region name "sto 2" may hold only letters, digits and dashes');
    expect(() => connect([{ name: 'sto2', authUrl: 'http://a' }, { name: 'STO2', authUrl: 'http://b' }])).toThrow('Regions: "STO2" is listed twice.');
    expect(() => connect([{ name: 'a', authUrl: 'http://ks:5000/v3' }, { name: 'b', authUrl: 'http://ks:5000' }])).toThrow(
      'Regions a and b use the same Keystone (http://ks:5000/v3); this provider is for clouds with one Keystone per region.',
    );
    expect(() => connect([{ name: 'a', authUrl: 'http://a' }], { projectName: '' })).toThrow('the project name is missing');
  });

  it('signs S3 requests for the region by name, at the entered endpoint, path style; asks for the region when there are several', () => {
    const session = connect([
      { name: 'sto2', authUrl: 'http://ks-sto', s3Endpoint: 'https://s3.sto2.example/' },
      { name: 'fra1', authUrl: 'http://ks-fra' },
    ]);
    expect(session.s3Location('sto2')).toEqual({ endpoint: 'https://s3.sto2.example', region: 'sto2', forcePathStyle: true });
    expect(() => session.s3Location('fra1')).toThrow("Region fra1: the S3 endpoint is not known yet; Keydesk reads it from the region's service catalog when it signs in there.");
    expect(() => session.s3Location()).toThrow('Choose a region for the key.');
    expect(() => session.s3Location('osl1')).toThrow('This account has no region "osl1" (it has sto2, fra1).');
  });
});

describe('Keystone roles and catalog', () => {
  const where = { project: 'web', region: 'sto2' };

  it('names the roles held and the roles needed', () => {
    expect(roleRefusal(['reader'], ['member', 'admin'], where, 'creating keys')).toBe('You have the reader role on project web in region sto2; creating keys needs member or admin.');
    expect(roleRefusal(['reader', 'observer'], ['member', 'admin', 'swiftoperator'], { project: 'web' }, 'resetting keys')).toBe(
      'You have the reader and observer roles on project web; resetting keys needs member, admin or swiftoperator.',
    );
    expect(roleRefusal([], ['member'], where, 'creating keys')).toBe('You have no role on project web in region sto2; creating keys needs member.');
    expect(roleRefusal(['reader', 'Member'], ['member', 'admin'], where, 'creating keys')).toBeUndefined();
  });

  it('reads the accepted roles from the account, member and admin when unset', () => {
    const account = (s3Roles?: string) => ({ accountId: 'a', settings: s3Roles === undefined ? {} : { s3Roles }, secrets: {} }) as AccountContext;
    expect(acceptedRoles(account())).toEqual(['member', 'admin']);
    expect(acceptedRoles(account(' _member_ , swiftoperator,'))).toEqual(['_member_', 'swiftoperator']);
    expect(acceptedRoles(account(' , '))).toEqual(['member', 'admin']);
  });

  it("finds S3 in the catalog: an s3 service first, else the Swift endpoint's origin, public and in the region where named", () => {
    const endpoint = (url: string, region_id = 'RegionOne', iface = 'public') => ({ interface: iface, region_id, url });
    const swift = { type: 'object-store', endpoints: [endpoint('http://rgw.internal:8080/swift/v1/AUTH_x', 'RegionOne', 'internal'), endpoint('https://swift.sto2.example/swift/v1/AUTH_x')] };
    expect(catalogS3Endpoint([swift])).toBe('https://swift.sto2.example');
    expect(catalogS3Endpoint([swift, { type: 's3', endpoints: [endpoint('https://s3.fra1.example/', 'fra1'), endpoint('https://s3.sto2.example/', 'sto2')] }], 'sto2')).toBe('https://s3.sto2.example');
    expect(catalogS3Endpoint([{ type: 's3', endpoints: [endpoint('not a url')] }])).toBeUndefined();
    expect(catalogS3Endpoint([{ type: 's3', endpoints: [endpoint('https://s3.example/?x=1')] }, swift])).toBe('https://swift.sto2.example');
    expect(catalogS3Endpoint([{ type: 'object-store', endpoints: [endpoint('file:///etc/passwd')] }, { type: 's3', endpoints: [endpoint('javascript:alert(1)')] }])).toBeUndefined();
    expect(catalogS3Endpoint([{ type: 'identity', endpoints: [endpoint('https://ks.example/v3')] }])).toBeUndefined();
  });
});

describe('Keystone answers Keydesk cannot use', () => {
  it('are refused with a clear error, not a crash', async () => {
    const token = { expires_at: new Date(Date.now() + 3_600_000).toISOString(), user: { id: 'u1', name: 'u' }, project: { id: 'p1', name: 'p' }, roles: [{ name: 'member' }] };
    const server = await startJsonServer((request) => {
      if (request.path === '/v3/auth/tokens') return request.body && JSON.stringify(request.body).includes('broken') ? { status: 201, body: { token: { user: 'nobody' } }, headers: { 'x-subject-token': 't' } } : { status: 201, body: { token }, headers: { 'x-subject-token': 't' } };
      return { status: 200, body: { credentials: 'none' } };
    });
    try {
      const session = (username: string) => connect([{ name: 'r1', authUrl: server.url, s3Endpoint: 'http://127.0.0.1:1' }], { username });
      await expect(session('broken').listRegions!()).resolves.toEqual([
        { name: 'r1', endpoint: 'http://127.0.0.1:1', error: expect.objectContaining({ code: 'PROVIDER', message: 'Region r1: Keystone answered with a token Keydesk does not understand. Check the auth URL.' }) },
      ]);
      await expect(session('fine').listKeys({})).rejects.toMatchObject({ code: 'PROVIDER', message: 'Region r1: Keystone answered with a credential list Keydesk does not understand. Check the auth URL.' });
    } finally {
      await server.stop();
    }
  });
});

