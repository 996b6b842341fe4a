import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { captureHeaders } from './raw-response';
import type { S3Session } from './session';
import { requestText } from '../transport/request';
import type { Trust } from '../transport/trust';

/*
 * S3-compatible servers differ in what they implement, and some (Swift's S3 API above all) answer a
 * sub-resource they do not know as if it were absent: DELETE ?lifecycle deletes an empty bucket, PUT
 * ?retention replaces an object's bytes. So Keydesk knows the server before it offers a setting: the
 * server is identified once per endpoint, known gaps are refused up front, and every other setting must
 * first be read back with its own document (raw-response.ts) before anything is written to it.
 */

export type ServerKind = 'aws' | 'ceph-rgw' | 'swift' | 'minio' | 'other';

/** The settings areas whose support differs between servers. */
export type SettingArea = 'versioning' | 'lifecycle' | 'cors' | 'policy' | 'tags' | 'objectLock' | 'encryption' | 'acl' | 'objectTags';

export interface ServerProfile {
  kind: ServerKind;
  /** For people: "OpenStack Swift 2.30.1 (S3 API)". */
  name: string;
  /** Areas this server is known not to implement, each with the sentence shown instead of the setting. */
  unsupported: Partial<Record<SettingArea, string>>;
  /** Storage classes an object can be given; undefined when the server does not say which it has. */
  storageClasses?: string[];
}

/** The storage classes AWS documents for PutObject/CopyObject. */
const AWS_STORAGE_CLASSES = ['STANDARD', 'INTELLIGENT_TIERING', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY'];

export function identifyServer(headers: Record<string, string>, endpoint: string): ServerKind {
  const header = (name: string) => headers[name] ?? '';
  if (header('x-trans-id') || header('x-openstack-request-id')) return 'swift';
  if (/minio/i.test(header('server'))) return 'minio';
  if (/^AmazonS3$/i.test(header('server')) || /\.amazonaws\.com(\.cn)?$/i.test(hostname(endpoint))) return 'aws';
  // RGW request IDs: "tx" + 21 hex digits, the time in hex, the gateway's instance and its zonegroup.
  if (/^tx[0-9a-f]{21}-[0-9a-f]{8,}-[0-9a-f]+-/.test(header('x-amz-request-id')) || Object.keys(headers).some((name) => name.startsWith('x-rgw-'))) return 'ceph-rgw';
  return 'other';
}

interface SwiftInfo {
  version?: string;
  s3Acl: boolean;
}

export function profileFor(kind: ServerKind, swift?: SwiftInfo): ServerProfile {
  switch (kind) {
    case 'swift':
      return {
        kind,
        name: `OpenStack Swift${swift?.version ? ` ${swift.version}` : ''} (S3 API)`,
        unsupported: {
          lifecycle: "Swift's S3 API has no lifecycle rules. It answers a lifecycle request with the bucket listing, and would delete an empty bucket when asked to remove its rules, so Keydesk does not send them.",
          cors: "Swift's S3 API does not implement bucket CORS (NotImplemented).",
          policy: "Swift's S3 API does not implement bucket policies (NotImplemented). Use Swift container ACLs instead.",
          tags: "Swift's S3 API cannot store bucket tags: it always reports an empty set and refuses changes (NotImplemented).",
          objectTags: "Swift's S3 API cannot store object tags: it always reports an empty set and refuses changes (NotImplemented).",
          objectLock: "Swift's S3 API has no object lock: lock settings are ignored, and retention requests would overwrite the object, so Keydesk does not send them.",
          encryption: "Swift's S3 API has no default-encryption setting for buckets (encryption, where enabled, is configured by the operator for the whole cluster).",
          ...(swift?.s3Acl
            ? {}
            : { acl: "This Swift runs its S3 API without S3 ACLs (s3_acl off): it reports a fixed owner-only ACL and cannot store grants. Share through Swift container ACLs instead." }),
        },
        storageClasses: ['STANDARD'],
      };
    case 'aws':
      return { kind, name: 'Amazon S3', unsupported: {}, storageClasses: AWS_STORAGE_CLASSES };
    case 'ceph-rgw':
      return { kind, name: 'Ceph Object Gateway (RGW)', unsupported: {} };
    case 'minio':
      return { kind, name: 'MinIO', unsupported: {} };
    default:
      return { kind, name: 'S3-compatible server', unsupported: {} };
  }
}

/**
 * Server profiles per endpoint, detected once (one HeadBucket, plus Swift's public /info when the server
 * is Swift), and the settings areas each endpoint has proven it implements by answering a read with the
 * right document. Held for the app's lifetime; a failed detection is not cached.
 */
export class ServerProfiles {
  private readonly profiles = new Map<string, Promise<ServerProfile>>();
  private readonly proven = new Map<string, Set<SettingArea>>();

  constructor(private readonly options: { fetchInfo?: (url: string, trust: Trust) => Promise<unknown> } = {}) {}

  profile(session: S3Session, bucket: string, signal?: AbortSignal): Promise<ServerProfile> {
    let pending = this.profiles.get(session.endpoint);
    if (!pending) {
      pending = this.detect(session, bucket, signal);
      this.profiles.set(session.endpoint, pending);
      pending.catch(() => this.profiles.delete(session.endpoint));
    }
    return pending;
  }

  isProven(endpoint: string, area: SettingArea): boolean {
    return this.proven.get(endpoint)?.has(area) ?? false;
  }

  prove(endpoint: string, area: SettingArea): void {
    let areas = this.proven.get(endpoint);
    if (!areas) this.proven.set(endpoint, (areas = new Set()));
    areas.add(area);
  }

  private async detect(session: S3Session, bucket: string, signal?: AbortSignal): Promise<ServerProfile> {
    let headers: Record<string, string> | undefined;
    const command = captureHeaders(new HeadBucketCommand({ Bucket: bucket }), (h) => (headers = h));
    // Any answer identifies the server, a refusal (403, 404) as well as a 200.
    await session.client.send(command, { abortSignal: signal }).catch((error: unknown) => {
      if (!headers) throw error;
    });
    const kind = identifyServer(headers ?? {}, session.endpoint);
    return profileFor(kind, kind === 'swift' ? await this.swiftInfo(session.endpoint, session.trust) : undefined);
  }

  /** Swift's unauthenticated /info, when the operator leaves it on; without it S3 ACLs count as off. */
  private async swiftInfo(endpoint: string, trust: Trust): Promise<SwiftInfo> {
    const fetchInfo = this.options.fetchInfo ?? defaultFetchInfo;
    try {
      const info = (await fetchInfo(new URL('/info', endpoint).href, trust)) as { swift?: { version?: unknown }; s3api?: { s3_acl?: unknown } };
      return { version: typeof info?.swift?.version === 'string' ? info.swift.version.slice(0, 40) : undefined, s3Acl: info?.s3api?.s3_acl === true };
    } catch {
      return { s3Acl: false };
    }
  }
}

/** Through the proxy, with the endpoint's trust, like every other request to it; redirects are not followed. */
async function defaultFetchInfo(url: string, trust: Trust): Promise<unknown> {
  const response = await requestText(url, { method: 'GET', signal: AbortSignal.timeout(5_000), trust });
  if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
  const text = response.text;
  if (text.length > 256 * 1024) throw new Error('too large');
  return JSON.parse(text);
}

function hostname(endpoint: string): string {
  try {
    return new URL(endpoint).hostname;
  } catch {
    return '';
  }
}
