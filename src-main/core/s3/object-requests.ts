import { S3ServiceException } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { isIP } from 'node:net';
import { BucketLocations, isRedirectStatus, type BucketLocation } from './bucket-locations';
import type { S3Connection } from './client';
import { Http1Pool, type BodyConsumer, type BodyPacer, type Http1Options, type Http1Request, type Http1Response } from './http1';
import { Sha256, uriEscape } from './sigv4';

/*
 * The requests that carry object bytes or run by the hundred, PutObject, UploadPart, GetObject and
 * ListObjectsV2, signed with SigV4 and sent over Http1Pool. The AWS SDK's middleware stack cost ~1.5 ms
 * of CPU per request (most of the work for a small file), its HTTP handler the per-read allocations
 * described in http1.ts, and its generic XML parser half the CPU of a listing. Errors are raised as the
 * SDK's S3ServiceException, so describeS3Error and the retry rules treat both paths alike.
 */

export interface ObjectAddress {
  bucket: string;
  key: string;
}

export interface PutResult {
  etag?: string;
  serverSideEncryption?: string;
}

export interface GetResult {
  serverSideEncryption?: string;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified?: string;
  etag?: string;
  storageClass?: string;
}

export interface ListResult {
  objects: ListedObject[];
  commonPrefixes: string[];
  /** Set when the listing goes on. */
  nextToken?: string;
}

/** SHA-256 of an empty body: a GET's payload hash. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** S3's answer names when an error carries no XML body (a HEAD-like answer). */
const STATUS_NAMES: Record<number, string> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 412: 'PreconditionFailed', 416: 'InvalidRange' };

interface OutgoingRequest {
  method: 'GET' | 'PUT';
  address: { bucket: string; key?: string };
  query: Record<string, string> | undefined;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  signal: AbortSignal | undefined;
  consume?: BodyConsumer;
  sending?: { onSent?: (bytes: number) => void; pace?: BodyPacer };
}

/** Redirects followed for one request: a bucket moves once; more is a loop. */
const MAX_REDIRECTS = 2;

/** What the object path needs from an HTTP client: Http1Pool, or the candidates the bench measures against it. */
export interface ObjectHttpPool {
  request(request: Http1Request, consume?: BodyConsumer): Promise<Http1Response>;
  close(): void;
}

export class ObjectRequests {
  /** The HTTP client per origin; the bench and the client conformance suite put another one here. */
  static openPool: (origin: string, options: Http1Options) => ObjectHttpPool = (origin, options) => new Http1Pool(origin, options);

  /** Per region: a bucket found elsewhere by a redirect is signed for its own region. */
  private readonly signers = new Map<string, SignatureV4>();
  /** Per origin: virtual-hosted buckets each have their own host. */
  private readonly pools = new Map<string, ObjectHttpPool>();

  constructor(
    private readonly connection: S3Connection,
    private readonly timeoutMs: number,
    private readonly locations: BucketLocations = new BucketLocations({ endpoint: connection.endpoint, region: connection.region }),
  ) {}

  /**
   * PutObject, or UploadPart when `part` is given. The body is signed as UNSIGNED-PAYLOAD: its integrity
   * rests on the (signed) Content-MD5, which every S3-compatible server verifies.
   */
  async put(
    address: ObjectAddress,
    body: Uint8Array,
    md5: Buffer,
    options: { contentType?: string; part?: { uploadId: string; partNumber: number }; signal?: AbortSignal; onSent?: (bytes: number) => void; pace?: BodyPacer },
  ): Promise<PutResult> {
    const query = options.part ? { partNumber: String(options.part.partNumber), uploadId: options.part.uploadId } : undefined;
    const headers: Record<string, string> = { 'content-md5': md5.toString('base64'), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    if (options.contentType && !options.part) headers['content-type'] = options.contentType;
    const response = await this.send('PUT', address, query, headers, body, options.signal, undefined, options);
    return { etag: response.headers.get('etag'), serverSideEncryption: response.headers.get('x-amz-server-side-encryption') };
  }

  /** GetObject of the whole object or a byte range (inclusive), its body handed to `consume`. */
  async get(address: ObjectAddress, consume: BodyConsumer, options: { range?: { start: number; end: number }; ifMatch?: string; versionId?: string; signal?: AbortSignal }): Promise<GetResult> {
    const headers: Record<string, string> = { 'x-amz-content-sha256': EMPTY_SHA256 };
    if (options.range) headers.range = `bytes=${options.range.start}-${options.range.end}`;
    if (options.ifMatch) headers['if-match'] = options.ifMatch;
    const query = options.versionId === undefined ? undefined : { versionId: options.versionId };
    const response = await this.send('GET', address, query, headers, undefined, options.signal, consume);
    return { serverSideEncryption: response.headers.get('x-amz-server-side-encryption') };
  }

  /**
   * One ListObjectsV2 page. Keys come URL-encoded (encoding-type=url): a key may hold characters XML 1.0
   * cannot carry (U+0001), and Swift's S3 API answers such a listing with 500 InternalError otherwise.
   */
  async list(bucket: string, options: { prefix?: string; delimiter?: string; token?: string; maxKeys?: number; signal?: AbortSignal }): Promise<ListResult> {
    const query: Record<string, string> = { 'list-type': '2', 'encoding-type': 'url' };
    if (options.prefix) query.prefix = options.prefix;
    if (options.delimiter) query.delimiter = options.delimiter;
    if (options.token) query['continuation-token'] = options.token;
    if (options.maxKeys) query['max-keys'] = String(options.maxKeys);
    const response = await this.send('GET', { bucket }, query, { 'x-amz-content-sha256': EMPTY_SHA256 }, undefined, options.signal);
    return parseListing(response.body.toString('utf8'));
  }

  /** Closes idle connections. */
  close(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  private async send(
    method: 'GET' | 'PUT',
    address: { bucket: string; key?: string },
    query: Record<string, string> | undefined,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    signal: AbortSignal | undefined,
    consume?: BodyConsumer,
    sending?: { onSent?: (bytes: number) => void; pace?: BodyPacer },
  ): Promise<Http1Response> {
    const request: OutgoingRequest = { method, address, query, headers, body, signal, consume, sending };
    for (let redirects = 0; ; redirects++) {
      const response = await this.sendTo(this.locations.get(address.bucket), request);
      if (isRedirectStatus(response.status) && redirects < MAX_REDIRECTS) {
        const xml = response.body.toString('utf8');
        this.locations.learn(address.bucket, { status: response.status, region: response.headers.get('x-amz-bucket-region'), location: response.headers.get('location'), endpointHost: text(xml, 'Endpoint') });
        continue;
      }
      if (response.status >= 300) throw s3Error(response);
      return response;
    }
  }

  /** Signs the request for the bucket's region and sends it to its endpoint. */
  private async sendTo(location: BucketLocation, { method, address, query, headers, body, signal, consume, sending }: OutgoingRequest): Promise<Http1Response> {
    const endpoint = new URL(location.endpoint);
    const { origin, host, path } = this.locate(endpoint, address);
    const signed = await this.signer(location.region).sign({
      method,
      protocol: endpoint.protocol,
      hostname: host.replace(/:\d+$/, ''),
      path,
      query,
      // Content-Length is signed only with a body: HTTP clients differ on sending it for an empty GET.
      headers: body ? { ...headers, host, 'content-length': String(body.byteLength) } : { ...headers, host },
    });
    // Host and Content-Length are written by the HTTP layer (with the values signed here).
    const { host: _host, 'content-length': _length, ...sendHeaders } = signed.headers;
    const search = query ? `?${Object.entries(query).map(([name, value]) => `${uriEscape(name)}=${uriEscape(value)}`).join('&')}` : '';
    return this.pool(origin).request({ method, target: path + search, headers: sendHeaders, body, signal, onSent: sending?.onSent, pace: sending?.pace }, consume);
  }

  private signer(region: string): SignatureV4 {
    let signer = this.signers.get(region);
    if (!signer) {
      signer = new SignatureV4({
        service: 's3',
        region,
        credentials: { accessKeyId: this.connection.accessKeyId, secretAccessKey: this.connection.secretAccessKey },
        sha256: Sha256,
        // S3 signs the path as sent, without escaping it a second time.
        uriEscapePath: false,
      });
      this.signers.set(region, signer);
    }
    return signer;
  }

  /**
   * Virtual-hosted addressing where the SDK would use it (a DNS-safe bucket on a named host), path style
   * otherwise. Without a key it addresses the bucket.
   */
  private locate(endpoint: URL, { bucket, key }: { bucket: string; key?: string }): { origin: string; host: string; path: string } {
    const base = endpoint.pathname.replace(/\/+$/, '');
    const encodedKey = key === undefined ? '' : key.split('/').map(uriEscape).join('/');
    const virtual = !this.connection.forcePathStyle && /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && isIP(endpoint.hostname.replace(/^\[|\]$/g, '')) === 0;
    if (!virtual) return { origin: endpoint.origin, host: endpoint.host, path: `${base}/${uriEscape(bucket)}${key === undefined ? '' : `/${encodedKey}`}` };
    const host = `${bucket}.${endpoint.host}`;
    return { origin: `${endpoint.protocol}//${host}`, host, path: `${base}/${encodedKey}` };
  }

  private pool(origin: string): ObjectHttpPool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = ObjectRequests.openPool(origin, { timeoutMs: this.timeoutMs, trust: this.connection.trust });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

/**
 * A ListBucketResult, read with indexOf: its elements have no attributes and values are text, so this is
 * enough, and ~5× cheaper than a generic XML parser over 1000 entries.
 */
function parseListing(xml: string): ListResult {
  const objects: ListedObject[] = [];
  // Only where the server says it encoded (a server may ignore encoding-type): then + is a space, as in a form.
  const encoded = text(xml, 'EncodingType') === 'url';
  const decodeKey = (value: string | undefined) => (value === undefined || !encoded ? value : decodeURIComponent(value.replace(/\+/g, ' ')));
  for (const block of blocks(xml, 'Contents')) {
    const key = decodeKey(text(block, 'Key'));
    if (key === undefined) continue;
    const modified = text(block, 'LastModified');
    objects.push({
      key,
      size: Number(text(block, 'Size') ?? 0),
      lastModified: modified ? new Date(modified).toISOString() : undefined,
      etag: text(block, 'ETag'),
      storageClass: text(block, 'StorageClass'),
    });
  }
  const commonPrefixes = blocks(xml, 'CommonPrefixes').flatMap((block) => decodeKey(text(block, 'Prefix')) ?? []);
  const truncated = text(xml, 'IsTruncated') === 'true';
  return { objects, commonPrefixes, nextToken: truncated ? text(xml, 'NextContinuationToken') : undefined };
}

function blocks(xml: string, name: string): string[] {
  const found: string[] = [];
  const open = `<${name}>`;
  const close = `</${name}>`;
  for (let start = xml.indexOf(open); start >= 0; start = xml.indexOf(open, start)) {
    const end = xml.indexOf(close, start);
    if (end < 0) break;
    found.push(xml.slice(start + open.length, end));
    start = end + close.length;
  }
  return found;
}

/** The first <name> element's text; the top-level names asked for here occur nowhere else. */
function text(xml: string, name: string): string | undefined {
  const start = xml.indexOf(`<${name}>`);
  if (start < 0) return undefined;
  const end = xml.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : decodeXml(xml.slice(start + name.length + 2, end));
}

/** An S3 error answer as the SDK would raise it: the XML <Code> as name, the status in $metadata. */
function s3Error(response: Http1Response): S3ServiceException {
  const xml = response.body.toString('utf8');
  const name = text(xml, 'Code') ?? STATUS_NAMES[response.status] ?? 'UnknownError';
  const error = new S3ServiceException({
    name,
    $fault: response.status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: response.status, requestId: text(xml, 'RequestId') ?? response.headers.get('x-amz-request-id') },
    message: text(xml, 'Message') ?? name,
  });
  // Hidden, as the SDK has it: Retry-After (retry.ts) and the headers that identify the server (describeS3Error) are read from here.
  Object.defineProperty(error, '$response', { value: { statusCode: response.status, headers: Object.fromEntries(response.headers) }, enumerable: false });
  return error;
}

function decodeXml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity[0] !== '#') return named[entity.toLowerCase()];
    return String.fromCodePoint(entity[1].toLowerCase() === 'x' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
  });
}
