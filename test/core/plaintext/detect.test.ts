import { describe, expect, it } from 'vitest';
import { findOccurrences, keyLines, type Occurrence } from '../../../src-main/core/plaintext/detect';
import { maskLine } from '../../../src-main/core/plaintext/findings';
import type { FileKind } from '../../../src-main/core/plaintext/scope';

const ID = 'AKIAIOSFODNN7EXAMPLX';
const SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYQ1';
const RGW_ID = '0555b35654ad1656d804';
const RGW_SECRET = 'h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==';

const find = (kind: FileKind, text: string, options?: Parameters<typeof findOccurrences>[2]) => findOccurrences(kind, text.split('\n'), options);
const summary = (o: Occurrence) => ({ id: o.accessKeyId, secret: o.secret, lines: keyLines(o) });

describe('finding keys in text', () => {
  it('reads named settings in every common spelling', () => {
    const cases: [FileKind, string][] = [
      ['env', `AWS_ACCESS_KEY_ID=${ID}\nAWS_SECRET_ACCESS_KEY=${SECRET}`],
      ['env', `export AWS_ACCESS_KEY_ID="${ID}"\nexport AWS_SECRET_ACCESS_KEY='${SECRET}'`],
      ['history', `aws configure set aws_access_key_id ${ID}\naws configure set aws_secret_access_key ${SECRET}`],
      ['history', `rclone config create r s3 access_key_id ${ID} secret_access_key ${SECRET}`],
      ['history', `s3cmd --access_key=${ID} --secret_key=${SECRET} ls`],
      ['other', `{"AccessKey": {"UserName": "u", "AccessKeyId": "${ID}", "SecretAccessKey": "${SECRET}"}}`],
      ['other', `storage:\n  aws_access_key_id: ${ID}\n  aws_secret_access_key: ${SECRET}`],
      ['other', `AWS_ACCESS_KEY_ID=${ID} AWS_SECRET_ACCESS_KEY=${SECRET} aws s3 ls`],
      ['history', `mc alias set s3 https://s3.amazonaws.com ${ID} ${SECRET}`],
      ['env', `AWS_ACCESS_KEY_ID=${ID}\r\nAWS_SECRET_ACCESS_KEY=${SECRET}\r\n`],
    ];
    for (const [kind, text] of cases) {
      expect(find(kind, text).map(summary), text).toEqual([{ id: ID, secret: SECRET, lines: expect.any(Array) }]);
    }
  });

  it('keeps base64 secrets whole, padding included, and pairs by distance', () => {
    const text = [`PROD_AWS_ACCESS_KEY_ID=${RGW_ID}`, `PROD_AWS_SECRET_ACCESS_KEY=${RGW_SECRET}`, 'OTHER=1', 'STAGING_AWS_ACCESS_KEY_ID=stagingkey0001', 'STAGING_AWS_SECRET_ACCESS_KEY=staging-secret-0001'].join('\n');
    expect(find('env', text).map(summary)).toEqual([
      { id: RGW_ID, secret: RGW_SECRET, lines: [0, 1] },
      { id: 'stagingkey0001', secret: 'staging-secret-0001', lines: [3, 4] },
    ]);
    // In a .env file an ID and its secret belong together however far apart.
    expect(find('env', [`AWS_ACCESS_KEY_ID=${RGW_ID}`, ...Array(20).fill('X=1'), `AWS_SECRET_ACCESS_KEY=${RGW_SECRET}`].join('\n')).map(summary)).toEqual([{ id: RGW_ID, secret: RGW_SECRET, lines: [0, 21] }]);
    // In a history file, commands far apart are separate copies.
    expect(find('history', [`aws configure set aws_access_key_id ${RGW_ID}`, ...Array(10).fill('ls'), `export AWS_SECRET_ACCESS_KEY=${RGW_SECRET}`].join('\n')).map(summary)).toEqual([
      { id: RGW_ID, secret: undefined, lines: [0] },
      { id: undefined, secret: RGW_SECRET, lines: [11] },
    ]);
  });

  it('ignores placeholders, variables, lookalikes and other programs’ secrets', () => {
    const none = [
      'AWS_SECRET_ACCESS_KEY=${AWS_SECRET}',
      'AWS_SECRET_ACCESS_KEY=$(pass show aws/secret)',
      'AWS_SECRET_ACCESS_KEY=<your-secret-key>',
      'AWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxx',
      'aws_secret_access_key = os.environ["AWS_SECRET"]',
      "SECRET_KEY = 'django-insecure-8l3k2j4h5g6f7d8s9a0'",
      'MINIO_SECRET_KEY=minio-secret-alone',
      'secretKey: process.env.S3_SECRET',
      // A git commit hash beside an AWS-style ID is not its secret.
      `${ID} 9fceb02d0ae598e95dc970b74767f19372d61af8`,
    ];
    for (const line of none) expect(find('history', line).filter((o) => o.secret), line).toEqual([]);
    // The ID alone is still reported (a sought key's ID is a finding), without a secret.
    expect(find('history', none.at(-1)!).map(summary)).toEqual([{ id: ID, secret: undefined, lines: [0] }]);
  });

  it('pairs a weak-named secret only with an ID, and a bare 40-character secret only beside an AWS-style ID', () => {
    expect(find('env', 'MINIO_ACCESS_KEY=minio-access-01\nMINIO_SECRET_KEY=minio-secret-value-01').map(summary)).toEqual([{ id: 'minio-access-01', secret: 'minio-secret-value-01', lines: [0, 1] }]);
    expect(find('other', `key: ${ID}\nvalue: ${SECRET}`).map(summary)).toEqual([{ id: ID, secret: SECRET, lines: [0, 1] }]);
    expect(find('other', `id: someid\nvalue: ${SECRET}`)).toEqual([]);
  });

  it('reads INI sections of each tool, commented-out keys too, and collects session tokens', () => {
    const credentials = ['[default]', `aws_access_key_id = ${ID}`, `aws_secret_access_key = ${SECRET}`, 'aws_session_token = FwoGZXIvYXdzEBYaDHVeryLongSessionToken0001', '', '[old]', `# aws_secret_access_key = ${RGW_SECRET}`].join('\n');
    const found = find('aws-credentials', credentials);
    expect(found.map((o) => ({ ...summary(o), profile: o.profile, tokens: o.tokens }))).toEqual([
      { id: ID, secret: SECRET, lines: [1, 2, 3], profile: 'default', tokens: ['FwoGZXIvYXdzEBYaDHVeryLongSessionToken0001'] },
      { id: undefined, secret: RGW_SECRET, lines: [6], profile: undefined, tokens: [] },
    ]);
    const config = find('aws-config', ['[profile prod]', `aws_access_key_id = ${RGW_ID}`, `aws_secret_access_key = ${RGW_SECRET}`, 'endpoint_url = https://rgw.example.org', 'credential_process = old'].join('\n'));
    expect(config[0]).toMatchObject({ profile: 'prod', statedEndpoint: 'https://rgw.example.org', sectionExtras: { credentialProcess: 4 }, connection: { endpoint: 'https://rgw.example.org' } });
    const rclone = find('rclone', ['[r]', 'type = s3', `access_key_id = ${RGW_ID}`, `secret_access_key = ${RGW_SECRET}`, 'endpoint = rgw.example.org:7480'].join('\n'));
    expect(rclone[0]).toMatchObject({ profile: 'r', statedEndpoint: 'https://rgw.example.org:7480' });
    const s3cmd = find('s3cmd', ['[default]', `access_key = ${RGW_ID}`, `secret_key = ${RGW_SECRET}`, 'host_base = rgw.example.org', 'use_https = False'].join('\n'));
    expect(s3cmd[0]).toMatchObject({ statedEndpoint: 'http://rgw.example.org', secret: RGW_SECRET });
  });

  it('takes whole history entries: continued lines and fish entries', () => {
    const bash = ['ls', 'aws configure set \\', `  aws_secret_access_key ${SECRET}`, 'pwd'].join('\n');
    expect(find('history', bash)[0].entryLines).toEqual([1, 2]);
    const fish = ['- cmd: ls', '  when: 1', `- cmd: export AWS_SECRET_ACCESS_KEY=${SECRET}`, '  when: 2', '  paths:', '    - /tmp', '- cmd: pwd'].join('\n');
    expect(find('history', fish, { fish: true })[0].entryLines).toEqual([2, 3, 4, 5]);
  });

  it('finds a sought key by value wherever it is written', () => {
    const text = ['servers:', `  - creds: "${RGW_ID}:${RGW_SECRET}"`, `  - note: the old id was x${RGW_ID}`].join('\n');
    expect(find('other', text, { needles: [{ accessKeyId: RGW_ID, secret: RGW_SECRET }] }).map(summary)).toEqual([{ id: RGW_ID, secret: RGW_SECRET, lines: [1] }]);
    // Without the secret, the ID counts only as a word of its own.
    expect(find('other', text, { needles: [{ accessKeyId: RGW_ID }] }).map(summary)).toEqual([{ id: RGW_ID, secret: undefined, lines: [1] }]);
  });

  it('reads at most 2,000 settings of one file, so a file full of keys cannot stall the scan', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => (i % 2 ? `AWS_SECRET_ACCESS_KEY=secret${i}xyz` : `AWS_ACCESS_KEY_ID=keyid${i}abc`));
    const found = findOccurrences('env', lines);
    expect(found).toHaveLength(1_000);
    expect(found.every((o) => o.accessKeyId && o.secret)).toBe(true);
    const ini = Array.from({ length: 3_000 }, (_, i) => `[p${i}]\naws_access_key_id = keyid${i}abc\naws_secret_access_key = secret${i}xyz`).join('\n');
    expect(find('aws-credentials', ini)).toHaveLength(2_000);
  });

  it('masks excerpts: known secrets, anything shaped like one, and what the log redactor would hide', () => {
    expect(maskLine(`export AWS_SECRET_ACCESS_KEY=${SECRET} # ${RGW_SECRET}`, [SECRET], ID)).toBe('export AWS_SECRET_ACCESS_KEY=•••••••• # ••••••••');
    expect(maskLine(`mc alias set x https://h ${ID} ${SECRET}`, [], ID)).toBe(`mc alias set x https://h ${ID} ••••••••`);
    expect(maskLine('db password=hunter2', [], undefined)).toBe('db password=••••••••');
    const long = `${'x'.repeat(500)} AWS_SECRET_ACCESS_KEY=${SECRET} ${'y'.repeat(500)}`;
    const masked = maskLine(long, [SECRET]);
    expect(masked.length).toBeLessThanOrEqual(162);
    expect(masked).toContain('AWS_SECRET_ACCESS_KEY=••••••••');
    // A line found only by a sought key's value shows little else.
    const [byValue] = findOccurrences('history', [`ssh deploy@10.0.0.7 -i ~/.ssh/prod && curl -u admin https://intranet.example/x?k=${RGW_ID}&more=stuff-that-is-not-the-key`], { needles: [{ accessKeyId: RGW_ID }] });
    expect(byValue.byValue).toBe(true);
    const shown = maskLine(`ssh deploy@10.0.0.7 -i ~/.ssh/prod && curl -u admin https://intranet.example/x?k=${RGW_ID}&more=stuff-that-is-not-the-key`, [], RGW_ID, 60);
    expect(shown).toContain(RGW_ID);
    expect(shown).not.toContain('ssh deploy');
    expect(shown.length).toBeLessThanOrEqual(62);
  });
});
