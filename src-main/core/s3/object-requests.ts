import { S3ServiceException } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { isIP } from 'node:net';
import type { S3Connection } from './client';
import { Http1Pool, type BodyConsumer, type Http1Response } from './http1';
import { Sha256, uriEscape } from './sigv4';

/*
 * The three requests that carry object bytes, PutObject, UploadPart and GetObject, signed with SigV4 and
 * sent over Http1Pool. The AWS SDK's middleware stack cost ~1.5 ms of CPU per request (most of the work
 * for a small file) and its HTTP handler the per-read allocations described in http1.ts. Errors are
 * raised as the SDK's S3ServiceException, so describeS3Error and the retry rules treat both paths alike.
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

/** SHA-256 of an empty body: a GET's payload hash. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** S3's answer names when an error carries no XML body (a HEAD-like answer). */
const STATUS_NAMES: Record<number, string> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 412: 'PreconditionFailed', 416: 'InvalidRange' };

export class ObjectRequests {
  private readonly endpoint: URL;
  private readonly signer: SignatureV4;
  /** Per origin: virtual-hosted buckets each have their own host. */
  private readonly pools = new Map<string, Http1Pool>();

  constructor(
    private readonly connection: S3Connection,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = new URL(connection.endpoint);
    this.signer = new SignatureV4({
      service: 's3',
      region: connection.region,
      credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey },
      sha256: Sha256,
      // S3 signs the path as sent, without escaping it a second time.
      uriEscapePath: false,
    });
  }

  /**
   * PutObject, or UploadPart when `part` is given. The body is signed as UNSIGNED-PAYLOAD: its integrity
   * rests on the (signed) Content-MD5, which every S3-compatible server verifies.
   */
  async put(address: ObjectAddress, body: Uint8Array, md5: Buffer, options: { contentType?: string; part?: { uploadId: string; partNumber: number }; signal?: AbortSignal }): Promise<PutResult> {
    const query = options.part ? { partNumber: String(options.part.partNumber), uploadId: options.part.uploadId } : undefined;
    const headers: Record<string, string> = { 'content-md5': md5.toString('base64'), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    if (options.contentType && !options.part) headers['content-type'] = options.contentType;
    const response = await this.send('PUT', address, query, headers, body, options.signal);
    return { etag: response.headers.get('etag'), serverSideEncryption: response.headers.get('x-amz-server-side-encryption') };
  }

  /** GetObject of the whole object or a byte range (inclusive), its body handed to `consume`. */
  async get(address: ObjectAddress, consume: BodyConsumer, options: { range?: { start: number; end: number }; ifMatch?: string; signal?: AbortSignal }): Promise<GetResult> {
    const headers: Record<string, string> = { 'x-amz-content-sha256': EMPTY_SHA256 };
    if (options.range) headers.range = `bytes=${options.range.start}-${options.range.end}`;
    if (options.ifMatch) headers['if-match'] = options.ifMatch;
    const response = await this.send('GET', address, undefined, headers, undefined, options.signal, consume);
    return { serverSideEncryption: response.headers.get('x-amz-server-side-encryption') };
  }

  /** Closes idle connections. */
  close(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  private async send(
    method: 'GET' | 'PUT',
    address: ObjectAddress,
    query: Record<string, string> | undefined,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    signal: AbortSignal | undefined,
    consume?: BodyConsumer,
  ): Promise<Http1Response> {
    const { origin, host, path } = this.locate(address);
    const signed = await this.signer.sign({
      method,
      protocol: this.endpoint.protocol,
      hostname: host.replace(/:\d+$/, ''),
      path,
      query,
      headers: { ...headers, host, 'content-length': String(body?.byteLength ?? 0) },
    });
    // Host and Content-Length are written by the HTTP layer (with the values signed here).
    const { host: _host, 'content-length': _length, ...sendHeaders } = signed.headers;
    const search = query ? `?${Object.entries(query).map(([name, value]) => `${uriEscape(name)}=${uriEscape(value)}`).join('&')}` : '';
    const response = await this.pool(origin).request({ method, target: path + search, headers: sendHeaders, body, signal }, consume);
    if (response.status >= 300) throw s3Error(response);
    return response;
  }

  /** Virtual-hosted addressing where the SDK would use it (a DNS-safe bucket on a named host), path style otherwise. */
  private locate({ bucket, key }: ObjectAddress): { origin: string; host: string; path: string } {
    const base = this.endpoint.pathname.replace(/\/+$/, '');
    const encodedKey = key.split('/').map(uriEscape).join('/');
    const virtual = !this.connection.forcePathStyle && /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && isIP(this.endpoint.hostname.replace(/^\[|\]$/g, '')) === 0;
    if (!virtual) return { origin: this.endpoint.origin, host: this.endpoint.host, path: `${base}/${uriEscape(bucket)}/${encodedKey}` };
    const host = `${bucket}.${this.endpoint.host}`;
    return { origin: `${this.endpoint.protocol}//${host}`, host, path: `${base}/${encodedKey}` };
  }

  private pool(origin: string): Http1Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Http1Pool(origin, { timeoutMs: this.timeoutMs });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

/** An S3 error answer as the SDK would raise it: the XML <Code> as name, the status in $metadata. */
function s3Error(response: Http1Response): S3ServiceException {
  const xml = response.body.toString('utf8');
  const field = (name: string) => {
    const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
    return match ? decodeXml(match[1]) : undefined;
  };
  const name = field('Code') ?? STATUS_NAMES[response.status] ?? 'UnknownError';
  return new S3ServiceException({
    name,
    $fault: response.status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: response.status, requestId: field('RequestId') ?? response.headers.get('x-amz-request-id') },
    message: field('Message') ?? name,
  });
}

function decodeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity[0] !== '#') return named[entity.toLowerCase()];
    return String.fromCodePoint(entity[1].toLowerCase() === 'x' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
  });
}
