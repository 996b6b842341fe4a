import { describe, expect, it } from 'vitest';
import { PathGrants } from '../../src-main/core/path-grants';

describe('PathGrants', () => {
  it('grants nothing until the user chose something', () => {
    const grants = new PathGrants({ platform: 'linux' });
    expect(grants.allows('/home/u/report.pdf', 'read')).toBe(false);
    expect(grants.allows('/', 'write')).toBe(false);
  });

  it('a file grant covers that file only', () => {
    const grants = new PathGrants({ platform: 'linux' });
    grants.grant('/home/u/report.pdf', 'read', 'file');
    expect(grants.allows('/home/u/report.pdf', 'read')).toBe(true);
    expect(grants.allows('/home/u/./tmp/../report.pdf', 'read')).toBe(true);
    expect(grants.allows('/home/u/report.pdf/x', 'read')).toBe(false);
    expect(grants.allows('/home/u/report.pdf.bak', 'read')).toBe(false);
    expect(grants.allows('/home/u', 'read')).toBe(false);
    expect(grants.allows('/home/u/other.pdf', 'read')).toBe(false);
  });

  it('a folder grant covers the folder and everything under it, and nothing that only looks like it', () => {
    const grants = new PathGrants({ platform: 'linux' });
    grants.grant('/home/u/docs/', 'read', 'folder');
    expect(grants.allows('/home/u/docs', 'read')).toBe(true);
    expect(grants.allows('/home/u/docs/', 'read')).toBe(true);
    expect(grants.allows('/home/u/docs/a/b/c.txt', 'read')).toBe(true);
    expect(grants.allows('/home/u/docs/a/../b.txt', 'read')).toBe(true);
    expect(grants.allows('/home/u/docs//a.txt', 'read')).toBe(true);
    expect(grants.allows('/home/u/docs-evil/a.txt', 'read')).toBe(false);
    expect(grants.allows('/home/u/docsa.txt', 'read')).toBe(false);
    expect(grants.allows('/home/u/docs/../.ssh/id_ed25519', 'read')).toBe(false);
    expect(grants.allows('/home/u/docs/../../../etc/passwd', 'read')).toBe(false);
    expect(grants.allows('/home/u', 'read')).toBe(false);
    expect(grants.allows('/home/U/docs/a.txt', 'read')).toBe(false);
    expect(grants.allows('docs/a.txt', 'read')).toBe(false);
  });

  it('keeps reading and writing apart', () => {
    const grants = new PathGrants({ platform: 'linux' });
    grants.grant('/home/u/upload-me', 'read', 'folder');
    grants.grant('/home/u/Downloads', 'write', 'folder');
    expect(grants.allows('/home/u/upload-me/a.txt', 'write')).toBe(false);
    expect(grants.allows('/home/u/Downloads/a.txt', 'read')).toBe(false);
    expect(grants.allows('/home/u/Downloads/a.txt', 'write')).toBe(true);
  });

  it('the root folder covers every path', () => {
    const grants = new PathGrants({ platform: 'linux' });
    grants.grant('/', 'write', 'folder');
    expect(grants.allows('/etc/passwd', 'write')).toBe(true);
  });

  it('ignores case and Unicode normalisation on macOS', () => {
    const grants = new PathGrants({ platform: 'darwin' });
    grants.grant('/Users/u/Café', 'read', 'folder');
    expect(grants.allows('/users/U/CAFÉ/a.txt', 'read')).toBe(true);
    expect(grants.allows('/Users/u/Cafe\u0301/a.txt', 'read')).toBe(true);
    expect(grants.allows('/Users/u/Café-evil/a.txt', 'read')).toBe(false);
  });

  it('on Windows ignores case and separator style, and still refuses look-alike folders', () => {
    const grants = new PathGrants({ platform: 'win32' });
    grants.grant('C:\\Users\\u\\Docs\\', 'read', 'folder');
    expect(grants.allows('c:/users/U/docs/report.pdf', 'read')).toBe(true);
    expect(grants.allows('C:\\Users\\u\\Docs\\sub\\..\\a.txt', 'read')).toBe(true);
    expect(grants.allows('C:\\Users\\u\\Docs-evil\\a.txt', 'read')).toBe(false);
    expect(grants.allows('C:\\Users\\u\\Docs\\..\\NTUSER.DAT', 'read')).toBe(false);
    expect(grants.allows('D:\\Users\\u\\Docs\\a.txt', 'read')).toBe(false);
  });

  it('refuses to grant a relative path', () => {
    expect(() => new PathGrants({ platform: 'linux' }).grant('docs', 'read', 'folder')).toThrow(/absolute/);
  });

  it('keeps at most `limit` grants, dropping the oldest; granting again makes a grant the newest', () => {
    const grants = new PathGrants({ platform: 'linux', limit: 2 });
    grants.grant('/a', 'read', 'file');
    grants.grant('/b', 'read', 'file');
    grants.grant('/a', 'read', 'file');
    grants.grant('/c', 'read', 'file');
    expect(grants.allows('/a', 'read')).toBe(true);
    expect(grants.allows('/b', 'read')).toBe(false);
    expect(grants.allows('/c', 'read')).toBe(true);
  });
});
