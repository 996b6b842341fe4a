import type { Readable } from 'node:stream';
import { KeydeskError } from '../errors';

/*
 * Looks at S3 answers before the SDK parses them. Some servers ignore a sub-resource they do not know
 * and answer as if it were absent: Swift's S3 API and RGW 16 answer GET ?encryption with the bucket
 * listing, which the SDK reads as an empty (valid-looking) configuration. So a 200 proves nothing;
 * the XML root element (or JSON, for a policy) of the answer does.
 */

/**
 * What a settings GET must answer with to count as "the server implements this". `emptyIsNone`: an empty
 * body means "nothing set" (RGW 16 answers GetObjectTagging so for objects from multipart uploads).
 * `ofObject`: the request names an object (?tagging, ?acl), so an answer carrying an ETag is the object
 * itself: RGW and Swift send ETag with an object's bytes and never with a sub-resource's document, and
 * a server that ignores the sub-resource sends the bytes, which may be empty or look like the document.
 */
export type BodyExpectation = ({ root: string } | { json: true }) & { emptyIsNone?: boolean; ofObject?: boolean };

/** Settings documents are small (a policy ≤ 20 KB, 1000 lifecycle rules ~ 500 KB). */
const MAX_SETTINGS_BODY = 2 * 1024 * 1024;
/** The root element is found within the first bytes (XML declaration, maybe a comment). */
const ROOT_WINDOW = 4096;

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The subset of an SDK command's middleware stack used here. */
interface CommandWithStack {
  middlewareStack: {
    addRelativeTo(
      middleware: (next: (args: unknown) => Promise<{ response: unknown }>) => (args: unknown) => Promise<{ response: unknown }>,
      options: { relation: 'after'; toMiddleware: string; name: string },
    ): void;
  };
}

/** Runs `inspect` on the raw HTTP response (errors included) before the SDK's deserializer reads it. */
function beforeParsing<C>(command: C, name: string, inspect: (response: RawResponse) => Promise<void> | void): C {
  (command as unknown as CommandWithStack).middlewareStack.addRelativeTo(
    (next) => async (args) => {
      const result = await next(args);
      await inspect(result.response as RawResponse);
      return result;
    },
    { relation: 'after', toMiddleware: 'deserializerMiddleware', name },
  );
  return command;
}

/** Hands the response headers (lower-case names) to `sink`, whatever the status. */
export function captureHeaders<C>(command: C, sink: (headers: Record<string, string>, status: number) => void): C {
  return beforeParsing(command, 'keydeskCaptureHeaders', (response) => sink(response.headers ?? {}, response.statusCode));
}

/**
 * Makes a 2xx answer whose body is not the expected document fail with UNSUPPORTED (`what` names the
 * setting, e.g. "lifecycle rules"). Error answers pass through to the SDK's own error handling.
 */
export function expectBody<C>(command: C, expectation: BodyExpectation, what: string): C {
  return beforeParsing(command, 'keydeskExpectBody', async (response) => {
    if (response.statusCode < 200 || response.statusCode >= 300) return;
    if (expectation.ofObject && response.headers?.etag !== undefined) {
      (response.body as Readable | undefined)?.destroy?.();
      throw new KeydeskError({ code: 'UNSUPPORTED', message: `This server does not implement ${what}: it answered the request with the object itself instead.` });
    }
    const { buffer, found } = await readHead(response.body, expectation);
    if (found === 'empty' && expectation.emptyIsNone) {
      response.body = buffer;
      return;
    }
    if (found !== 'match') {
      throw new KeydeskError({
        code: 'UNSUPPORTED',
        message: `This server does not implement ${what}: it answered the request with ${found === 'empty' ? 'an empty body' : found === 'other' ? 'something that is not a settings document' : `a <${found}> document`} instead.`,
      });
    }
    // The deserializer reads a Uint8Array body as it is (its collectBody accepts one).
    response.body = buffer;
  });
}

type Found = 'match' | 'empty' | 'other' | string;

/** Reads the body until its root decides the match; a match is read whole (capped), a mismatch is dropped. */
async function readHead(body: unknown, expectation: BodyExpectation): Promise<{ buffer: Buffer; found: Found }> {
  if (body instanceof Uint8Array) return { buffer: Buffer.from(body), found: judge(Buffer.from(body).toString('utf8'), expectation, true) ?? 'other' };
  const stream = body as Readable | undefined;
  if (!stream || typeof (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator] !== 'function') return { buffer: Buffer.alloc(0), found: 'empty' };
  const chunks: Buffer[] = [];
  let size = 0;
  let verdict: Found | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (verdict === undefined) {
        const head = Buffer.concat(chunks).subarray(0, ROOT_WINDOW).toString('utf8');
        const judged = judge(head, expectation, false);
        if (judged !== undefined) verdict = judged;
        if (verdict !== undefined && verdict !== 'match') break;
      }
      if (size > MAX_SETTINGS_BODY) {
        throw new KeydeskError({ code: 'PROVIDER', message: `The server's answer is larger than ${MAX_SETTINGS_BODY / 1024 / 1024} MiB; a settings document is never that large.` });
      }
    }
  } finally {
    // A mismatch (the bucket listing, an object's bytes) is not read to its end.
    stream.destroy?.();
  }
  const buffer = Buffer.concat(chunks);
  return { buffer, found: verdict ?? judge(buffer.toString('utf8'), expectation, true) ?? 'other' };
}

/** 'match', the root found instead, or undefined while more bytes are needed (unless `final`). */
function judge(text: string, expectation: BodyExpectation, final: boolean): Found | undefined {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed === '') return final ? 'empty' : undefined;
  if ('json' in expectation) return trimmed.startsWith('{') ? 'match' : (xmlRoot(trimmed) ?? 'other');
  const root = xmlRoot(trimmed);
  if (root === undefined) return final || trimmed.length >= ROOT_WINDOW ? 'other' : undefined;
  return root === expectation.root ? 'match' : root;
}

/** The local name of the first element, after an XML declaration, comments and a doctype. */
export function xmlRoot(text: string): string | undefined {
  const match = /^\s*(?:(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(text);
  return match?.[1];
}
