import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpointIdentity, keyIdentity, sameKey } from '../../../src-main/core/vault/key-identity';

describe('key identity: endpoint + access key ID', () => {
  it('treats spellings of one endpoint as one service', () => {
    const same = [
      'https://s3.example.com',
      'https://s3.example.com/',
      'https://s3.example.com//',
      'HTTPS://S3.Example.COM',
      'https://s3.example.com:443',
      'https://s3.example.com.',
      '  https://s3.example.com/  ',
      // One gateway under both schemes on their default ports.
      'http://s3.example.com',
      'http://s3.example.com:80/',
    ];
    for (const endpoint of same) expect(endpointIdentity(endpoint), endpoint).toBe('s3.example.com');
  });

  it('keeps another host, port or path apart', () => {
    const distinct = ['https://s3.example.com', 'https://s3.example.org', 'https://eu.s3.example.com', 'https://s3.example.com:8443', 'http://s3.example.com:7480', 'https://s3.example.com/tenant-a', 'https://s3.example.com/Tenant-A'];
    expect(new Set(distinct.map(endpointIdentity)).size).toBe(distinct.length);
    expect(endpointIdentity('https://gw.example.com/s3/')).toBe('gw.example.com/s3');
  });

  it('knows services whose keys work at every regional and virtual-host endpoint', () => {
    for (const endpoint of ['https://s3.amazonaws.com', 'https://s3.eu-west-1.amazonaws.com', 'https://s3-us-west-2.amazonaws.com', 'https://photos.s3.us-east-1.amazonaws.com', 'https://s3.dualstack.eu-central-1.amazonaws.com']) {
      expect(endpointIdentity(endpoint), endpoint).toBe('s3.amazonaws.com');
    }
    expect(endpointIdentity('https://s3.cn-north-1.amazonaws.com.cn')).toBe('s3.amazonaws.com.cn');
    expect(endpointIdentity('https://iam.amazonaws.com')).not.toBe('s3.amazonaws.com');
    expect(endpointIdentity('https://mys3bucket.amazonaws.com')).not.toBe('s3.amazonaws.com');
    expect(endpointIdentity('https://nyc3.digitaloceanspaces.com')).toBe(endpointIdentity('https://photos.ams3.digitaloceanspaces.com'));
    // IONOS and Ceph: another host is another service.
    expect(endpointIdentity('https://s3.eu-central-1.ionoscloud.com')).not.toBe(endpointIdentity('https://s3.eu-central-2.ionoscloud.com'));
  });

  it('compares key IDs exactly (after trimming) and never throws on a bad endpoint', () => {
    expect(sameKey({ endpoint: 'https://s3.example.com', accessKeyId: 'AKIA1' }, { endpoint: 'https://S3.example.com/', accessKeyId: ' AKIA1 ' })).toBe(true);
    expect(sameKey({ endpoint: 'https://s3.example.com', accessKeyId: 'AKIA1' }, { endpoint: 'https://s3.example.com', accessKeyId: 'akia1' })).toBe(false);
    expect(sameKey({ endpoint: 'https://s3.example.com', accessKeyId: 'AKIA1' }, { endpoint: 'https://s3.example.com:9000', accessKeyId: 'AKIA1' })).toBe(false);
    expect(() => keyIdentity({ endpoint: 'not a url', accessKeyId: 'X' })).not.toThrow();
    expect(sameKey({ endpoint: 'not a url', accessKeyId: 'X' }, { endpoint: 'NOT A URL', accessKeyId: 'X' })).toBe(true);
  });

  it('is unchanged by case, default ports and trailing slashes, for any host and path (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => [...labels, 'test'].join('.'));
    const path = fc.array(fc.stringMatching(/^[A-Za-z0-9_.~-]{1,8}$/), { maxLength: 3 }).map((parts) => (parts.length ? `/${parts.join('/')}` : ''));
    fc.assert(
      fc.property(host, path, fc.constantFrom('http', 'https'), fc.integer({ min: 0, max: 3 }), fc.boolean(), (h, p, scheme, slashes, upper) => {
        const plain = `https://${h}${p}`;
        const port = scheme === 'https' ? ':443' : ':80';
        const spelled = `${upper ? scheme.toUpperCase() : scheme}://${upper ? h.toUpperCase() : h}${port}${p}${'/'.repeat(slashes)}`;
        expect(endpointIdentity(spelled)).toBe(endpointIdentity(plain));
        expect(endpointIdentity(`https://${h}:8443${p}`)).not.toBe(endpointIdentity(plain));
        expect(endpointIdentity(`https://${h}${p}/other`)).not.toBe(endpointIdentity(plain));
      }),
    );
  });
});
