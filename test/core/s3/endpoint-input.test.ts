import { describe, expect, it } from 'vitest';
import { describeReading, isLocalHost, readEndpoint } from '../../../src-main/core/s3/endpoint-input';
import { parseEndpoint } from '../../../src-main/core/s3/client';

describe('endpoints as people type them', () => {
  it.each([
    ['127.0.0.1:7651', 'http://127.0.0.1:7651', 'http'],
    ['localhost:9000/', 'http://localhost:9000', 'http'],
    ['minio:9000', 'http://minio:9000', 'http'],
    ['minio_1:9000', 'http://minio_1:9000', 'http'],
    ['nas.local:9000', 'http://nas.local:9000', 'http'],
    ['10.1.2.3', 'http://10.1.2.3', 'http'],
    ['172.20.0.5:7480', 'http://172.20.0.5:7480', 'http'],
    ['192.168.1.20:9000', 'http://192.168.1.20:9000', 'http'],
    ['[::1]:7480', 'http://[::1]:7480', 'http'],
    ['[fd00::5]:9000', 'http://[fd00::5]:9000', 'http'],
    ['s3.example.com', 'https://s3.example.com', 'https'],
    ['s3.eu-central-1.amazonaws.com/', 'https://s3.eu-central-1.amazonaws.com', 'https'],
    ['172.32.0.1', 'https://172.32.0.1', 'https'],
    ['8.8.8.8:443', 'https://8.8.8.8', 'https'],
    ['gateway.example.com:8443/s3//', 'https://gateway.example.com:8443/s3', 'https'],
  ])('%s without a scheme becomes %s', (input, endpoint, scheme) => {
    expect(readEndpoint(input)).toEqual({ endpoint, addedScheme: scheme });
    expect(parseEndpoint(input)).toBe(endpoint);
  });

  it('keeps a scheme that was typed, and says nothing about it', () => {
    expect(readEndpoint(' HTTP://S3.Example.com:80/ ')).toEqual({ endpoint: 'http://s3.example.com', addedScheme: undefined });
    expect(readEndpoint('https://127.0.0.1:7480')).toEqual({ endpoint: 'https://127.0.0.1:7480', addedScheme: undefined });
    expect(describeReading(readEndpoint('https://s3.example.com'))).toBeUndefined();
  });

  it('says which scheme it assumed and what it will connect to', () => {
    expect(describeReading(readEndpoint('127.0.0.1:7651'))).toBe(
      'Keydesk will connect to http://127.0.0.1:7651 (no scheme given: http for this computer and local network addresses; type https:// to use TLS).',
    );
    expect(describeReading(readEndpoint('s3.example.com'))).toMatch(/^Keydesk will connect to https:\/\/s3\.example\.com \(no scheme given: https;/);
  });

  it.each([
    ['', 'Enter the endpoint'],
    ['   ', 'Enter the endpoint'],
    ['s3 dot example', 'is not a valid URL'],
    ['https://s3 dot example', 'is not a valid URL'],
    ['https://s3%20x.example.com', 'is not a valid URL'],
    ['ftp://files.example.com', 'must start with https:// or http://, not ftp://'],
    ['https://user:pw@s3.example.com', 'must not contain a user name or password'],
    ['https://s3.example.com/?x=1', 'must not contain a query string or fragment'],
    ['https://s3.example.com/#frag', 'must not contain a query string or fragment'],
    ['file:///etc/passwd', 'must start with https:// or http://'],
    ['javascript://alert(1)', 'must start with https:// or http://'],
  ])('refuses %j with a reason', (input, reason) => {
    const reading = readEndpoint(input);
    expect(reading.endpoint).toBeUndefined();
    expect(reading.problem).toContain(reason);
    expect(() => parseEndpoint(input)).toThrow(reason);
  });

  it('tells local names from public ones', () => {
    for (const host of ['localhost', 'api.localhost', '127.8.9.10', '169.254.1.1', '::1', 'fe80::1', 'ceph-rgw']) expect(isLocalHost(host), host).toBe(true);
    for (const host of ['example.com', '11.0.0.1', '192.169.0.1', '2001:db8::1', '1234']) expect(isLocalHost(host), host).toBe(false);
  });
});
