import { describe, expect, it } from 'vitest';
import { BucketLocations } from '../../../src-main/core/s3/bucket-locations';

const home = { endpoint: 'https://s3.us-east-1.example.com', region: 'us-east-1' };

describe('bucket locations', () => {
  it('follows a 301 to the <Endpoint> it names, virtual-hosted or not, and remembers it for that bucket only', () => {
    const locations = new BucketLocations(home);
    expect(locations.learn('photos', { status: 301, region: 'eu-west-1', endpointHost: 'photos.s3.eu-west-1.example.com' })).toEqual({ endpoint: 'https://s3.eu-west-1.example.com', region: 'eu-west-1' });
    expect(locations.get('photos')).toEqual({ endpoint: 'https://s3.eu-west-1.example.com', region: 'eu-west-1' });
    expect(locations.get('other')).toEqual(home);
    expect(locations.learn('logs', { status: 301, region: 'ap-1', endpointHost: 's3.ap-1.example.com' }).endpoint).toBe('https://s3.ap-1.example.com');
    expect(new BucketLocations({ endpoint: 'https://s3-us-east-1.example.com', region: 'us-east-1' }).learn('b', { status: 301, region: 'eu-1' }).endpoint).toBe('https://s3-eu-1.example.com');
  });

  it("follows a 307's Location, and a region-only answer to the region's host", () => {
    const locations = new BucketLocations({ endpoint: 'http://127.0.0.1:9000/base', region: 'home' });
    expect(locations.learn('b', { status: 307, location: 'http://127.0.0.1:9001/b/key?x=1' })).toEqual({ endpoint: 'http://127.0.0.1:9001/base', region: 'home' });
    expect(new BucketLocations(home).learn('b', { status: 301, region: 'eu-central-2' })).toEqual({ endpoint: 'https://s3.eu-central-2.example.com', region: 'eu-central-2' });
    // A host without the region in it keeps the endpoint and signs for the new region.
    expect(new BucketLocations({ endpoint: 'https://storage.example.net', region: 'a' }).learn('b', { status: 301, region: 'b' })).toEqual({ endpoint: 'https://storage.example.net', region: 'b' });
  });

  it('refuses a downgrade to plain HTTP, other schemes and a redirect to where it already is, with a sentence that says what to do', () => {
    const locations = new BucketLocations(home);
    expect(() => locations.learn('b', { status: 307, location: 'http://s3.eu-west-1.example.com/b' })).toThrow(/from HTTPS to unencrypted http:\/\/s3.eu-west-1.example.com/);
    expect(() => locations.learn('b', { status: 307, location: 'file:///etc/passwd' })).toThrow(/points to file:/);
    expect(() => locations.learn('b', { status: 301, region: 'us-east-1' })).toThrow(/names neither another endpoint nor another region/);
    try {
      locations.learn('b', { status: 301 });
    } catch (error) {
      expect(error).toMatchObject({ code: 'UNSUPPORTED', status: 301, hint: expect.stringMatching(/endpoint and region to the bucket's own/) });
    }
    expect(locations.get('b')).toEqual(home);
  });
});
