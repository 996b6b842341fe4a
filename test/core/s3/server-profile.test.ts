import { describe, expect, it } from 'vitest';
import { xmlRoot } from '../../../src-main/core/s3/raw-response';
import { identifyServer, profileFor } from '../../../src-main/core/s3/server-profile';
import { checkPolicy, POLICY_TEMPLATES, userPrincipal } from '../../../src-main/ipc/channels/policy-check';

describe('server identification', () => {
  it('tells Swift, RGW, AWS and MinIO apart by their answers', () => {
    expect(identifyServer({ 'x-trans-id': 'tx8', 'x-amz-request-id': 'tx8' }, 'http://127.0.0.1:8480')).toBe('swift');
    expect(identifyServer({ 'x-openstack-request-id': 'tx1' }, 'https://s3.cloud.example')).toBe('swift');
    expect(identifyServer({ 'x-amz-request-id': 'tx00000e615aa271858e26a-006b0f9f66-1008-default' }, 'http://127.0.0.1:1')).toBe('ceph-rgw');
    expect(identifyServer({ 'x-rgw-object-type': 'Normal' }, 'http://h')).toBe('ceph-rgw');
    expect(identifyServer({ server: 'AmazonS3', 'x-amz-request-id': '4442587FB7D0A2F9' }, 'https://s3.example')).toBe('aws');
    expect(identifyServer({}, 'https://s3.eu-central-1.amazonaws.com')).toBe('aws');
    expect(identifyServer({ server: 'MinIO' }, 'http://h')).toBe('minio');
    expect(identifyServer({ server: 'nginx' }, 'http://h')).toBe('other');
  });

  it("Swift's profile refuses what it lacks; ACLs only when /info says s3_acl", () => {
    const swift = profileFor('swift', { version: '2.30.1', s3Acl: false });
    expect(swift.name).toBe('OpenStack Swift 2.30.1 (S3 API)');
    expect(Object.keys(swift.unsupported).sort()).toEqual(['acl', 'cors', 'encryption', 'lifecycle', 'objectLock', 'objectTags', 'policy', 'tags']);
    expect(profileFor('swift', { s3Acl: true }).unsupported.acl).toBeUndefined();
    expect(profileFor('other').unsupported).toEqual({});
  });
});

describe('XML root element', () => {
  it('is found after a declaration, comments and a doctype, with or without a namespace prefix', () => {
    expect(xmlRoot("<?xml version='1.0' encoding='UTF-8'?>\n<ListBucketResult xmlns=\"x\"><Name>b</Name>")).toBe('ListBucketResult');
    expect(xmlRoot('<!-- hi --><s3:LifecycleConfiguration xmlns:s3="x"/>')).toBe('LifecycleConfiguration');
    expect(xmlRoot('<CORSConfiguration>')).toBe('CORSConfiguration');
    expect(xmlRoot('{"Version":"2012-10-17"}')).toBeUndefined();
    expect(xmlRoot('hello')).toBeUndefined();
  });
});

describe('bucket policy checks', () => {
  const bucket = 'photos';
  it('accepts the templates; warns about public access; names what is wrong', () => {
    expect(checkPolicy(POLICY_TEMPLATES.readOnlyUser(bucket, 'bob', 'ceph-rgw'), bucket)).toEqual({ problems: [], warnings: [] });
    expect(checkPolicy(POLICY_TEMPLATES.readOnlyUser(bucket, '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be', 'aws'), bucket).problems).toEqual([]);
    const open = checkPolicy(POLICY_TEMPLATES.publicReadPrefix(bucket, 'public/'), bucket);
    expect(open.problems).toEqual([]);
    expect(open.warnings).toEqual([expect.stringContaining('anyone on the internet')]);
    expect(checkPolicy('{"Version": "2012-10-17", "Statement": [', bucket).problems[0]).toMatch(/not valid JSON/);
    const wrong = checkPolicy(JSON.stringify({ Version: '2024-01-01', Statement: [{ Effect: 'Permit', Action: 'GetObject', Resource: 'arn:aws:s3:::other/*' }] }), bucket);
    expect(wrong.problems).toEqual([
      expect.stringContaining('"Version": "2012-10-17"'),
      expect.stringContaining('"Effect"'),
      expect.stringContaining('"Principal"'),
      expect.stringContaining('"GetObject" is not an S3 action'),
      expect.stringContaining('not in this bucket'),
    ]);
    expect(checkPolicy('x'.repeat(21 * 1024), bucket).problems[0]).toMatch(/20 KB/);
  });

  it('names a user the way each server takes it', () => {
    expect(userPrincipal('tenant$alice', 'ceph-rgw')).toEqual({ AWS: ['arn:aws:iam::tenant:user/alice'] });
    expect(userPrincipal('bob', 'ceph-rgw')).toEqual({ AWS: ['arn:aws:iam:::user/bob'] });
    expect(userPrincipal('abc', 'aws')).toEqual({ CanonicalUser: 'abc' });
  });
});
