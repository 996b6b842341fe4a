import { describe, expect, it } from 'vitest';
import { redact } from '../../../src-main/core/redact';
import { desktopProxyResolver, envProxyResolver, noProxyMatcher, parsePacResult, parseProxyUrl } from '../../../src-main/core/transport/proxy';

const url = (href: string) => new URL(href);

describe('proxy variables', () => {
  it('picks HTTPS_PROXY for https: and HTTP_PROXY for http:, lower case first, ALL_PROXY as the fallback', async () => {
    const resolve = envProxyResolver({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'plain:3' });
    expect((await resolve(url('https://s3.example.com/')))?.url.href).toBe('http://lower:2/');
    expect(await resolve(url('https://s3.example.com/'))).toMatchObject({ source: 'https_proxy' });
    expect((await resolve(url('http://s3.example.com/')))?.url.href).toBe('http://plain:3/');
    const all = envProxyResolver({ ALL_PROXY: 'https://secure-proxy:8443' });
    expect(await all(url('http://x/'))).toMatchObject({ source: 'ALL_PROXY', url: url('https://secure-proxy:8443') });
    expect(await envProxyResolver({ HTTP_PROXY: 'http://p:1', HTTPS_PROXY: '  ' })(url('https://x/'))).toBeUndefined();
    expect(await envProxyResolver({})(url('https://x/'))).toBeUndefined();
  });

  it('turns credentials in the proxy URL into a Basic header, percent-decoded, and registers them as secrets', () => {
    const route = parseProxyUrl('http://corp%5Calice:p%40ss%3Aw%C3%B6rd@proxy.corp:3128', 'HTTPS_PROXY');
    expect(route.url.href).toBe('http://proxy.corp:3128/');
    expect(route.authorization).toBe(`Basic ${Buffer.from('corp\\alice:p@ss:wörd').toString('base64')}`);
    expect(redact('password p@ss:wörd, header ' + route.authorization)).toBe('password [redacted], header Basic [redacted]');
  });

  it('refuses SOCKS and other schemes with the reason, when a connection needs the proxy (not at start)', () => {
    const resolve = envProxyResolver({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' });
    expect(() => resolve(url('https://x/'))).toThrow(/SOCKS proxies are not supported \(HTTPS_PROXY/);
    expect(() => parseProxyUrl('ftp://p', 'HTTP_PROXY')).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(() => parseProxyUrl('http://[bad', 'HTTP_PROXY')).toThrow(/not a valid URL/);
  });
});

describe('NO_PROXY', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'https://anything.example/', true],
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://s3.eu.example.com/', true],
    ['example.com', 'https://notexample.com/', false],
    ['.example.com', 'https://example.com/', true],
    ['.example.com', 'https://bucket.example.com/', true],
    ['*.example.com', 'https://bucket.example.com/', true],
    ['EXAMPLE.com', 'https://Example.COM/', true],
    ['s3.example.com:9000', 'http://s3.example.com:9000/', true],
    ['s3.example.com:9000', 'http://s3.example.com:9001/', false],
    ['s3.example.com:443', 'https://s3.example.com/', true],
    ['10.1.2.3', 'https://10.1.2.3:9021/', true],
    ['10.1.2.3', 'https://10.1.2.30/', false],
    ['10.0.0.0/8', 'https://10.200.3.4/', true],
    ['10.0.0.0/8', 'https://11.0.0.1/', false],
    ['10.0.0.0/8', 'https://ten.example/', false],
    ['::1', 'https://[::1]:7443/', true],
    ['[::1]:7443', 'https://[::1]:7443/', true],
    ['[::1]:7443', 'https://[::1]:7444/', false],
    ['fd00::/8', 'https://[fd12::5]/', true],
    ['localhost, 127.0.0.1  internal', 'http://internal:80/', true],
    ['', 'https://x/', false],
  ];
  it.each(cases)('%j for %s → bypass %s', (value, target, bypass) => {
    expect(noProxyMatcher(value)(url(target))).toBe(bypass);
  });

  it('applies to the proxy variables and to the system proxy alike', async () => {
    expect(await envProxyResolver({ HTTPS_PROXY: 'http://p:1', no_proxy: '.internal' })(url('https://s3.internal/'))).toBeUndefined();
    const asked: string[] = [];
    const system = desktopProxyResolver({ NO_PROXY: 'ecs.local' }, async (target) => {
      asked.push(target);
      return 'PROXY sys:8080';
    });
    expect(await system(url('https://ecs.local:9021/'))).toBeUndefined();
    expect(await system(url('https://s3.amazonaws.com/'))).toMatchObject({ url: url('http://sys:8080'), source: 'the system proxy settings' });
    expect(asked).toEqual(['https://s3.amazonaws.com/']);
  });

  it('in the desktop app, proxy variables win over the system settings', async () => {
    const system = desktopProxyResolver({ HTTPS_PROXY: 'http://env:1' }, async () => 'PROXY sys:8080');
    expect(await system(url('https://s3.amazonaws.com/'))).toMatchObject({ url: url('http://env:1'), source: 'HTTPS_PROXY' });
  });
});

describe("Electron's resolveProxy answers", () => {
  it('reads the first route Keydesk can use', () => {
    expect(parsePacResult('DIRECT')).toBeUndefined();
    expect(parsePacResult('PROXY a.corp:3128; DIRECT')?.url.href).toBe('http://a.corp:3128/');
    expect(parsePacResult('HTTPS secure.corp:443')?.url.href).toBe('https://secure.corp/');
    expect(parsePacResult('SOCKS5 s:1080; PROXY b:8080')?.url.href).toBe('http://b:8080/');
    expect(parsePacResult('DIRECT; PROXY b:8080')).toBeUndefined();
    expect(() => parsePacResult('SOCKS5 s:1080; SOCKS s:1081')).toThrow(/only a SOCKS proxy/);
  });
});
