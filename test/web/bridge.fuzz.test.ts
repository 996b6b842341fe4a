import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerDescriptors } from '../../src-main/core/providers/registry';
import { channels } from '../../src-main/ipc/contract';
import { fuzz, reportFuzzCounts } from '../helpers/fuzz';
import { frame, OPCODE, openRawWebSocket } from '../helpers/raw-peer';
import { startTarget, type Target } from '../helpers/web-target';
import { hostileJson, payloadFor, type PayloadHints } from '../helpers/zod-arbitrary';

/**
 * Generated WebSocket frames, built by hand, on an authenticated bridge connection: requests for every
 * channel with shaped and broken payloads, JSON junk, binary frames, invalid UTF-8, fragments, pings,
 * reserved opcodes and bits, unmasked frames, oversize lengths and close frames, several per case.
 * Property: every well-formed request gets a typed answer and every other frame a typed error or the
 * protocol's close — in time — and a new connection is served afterwards, with nothing escaped.
 */

const RUNS = 300;
const ANSWER_MS = 5_000;

let target: Target;

type Planned = { bytes: Buffer; answer?: number; error?: true; fatal?: true };

const hints: PayloadHints = {
  credentialIds: [],
  accountIds: [],
  endpoint: 'http://127.0.0.1:1',
  providerIds: providerDescriptors().map((p) => p.id),
  accountFields: [{}],
  localPaths: ['/tmp/keydesk-fuzz-nowhere/a.txt', '/etc/passwd', 'relative'],
};

let nextId = 1;
const request: fc.Arbitrary<Planned> = fc
  .constantFrom(...(Object.keys(channels) as (keyof typeof channels)[]))
  .chain((channel) => payloadFor(channels[channel].input, hints).map((payload) => ({ channel, payload })))
  .chain(({ channel, payload }) =>
    fc.boolean().map((fragmented) => {
      const id = nextId++;
      const text = Buffer.from(JSON.stringify({ id, channel, payload }));
      if (!fragmented || text.length < 2) return { bytes: frame(OPCODE.text, text), answer: id };
      const half = Math.floor(text.length / 2);
      return { bytes: Buffer.concat([frame(OPCODE.text, text.subarray(0, half), { fin: false }), frame(OPCODE.continuation, text.subarray(half))]), answer: id };
    }),
  );

const junk: fc.Arbitrary<Planned> = fc.oneof(
  hostileJson.map((value) => ({ bytes: frame(OPCODE.text, JSON.stringify(value) ?? 'null'), error: true as const })),
  fc.constantFrom('{"id":1,', '[[[[[', `{"id":1,"channel":${'['.repeat(5_000)}`, '{"id":"1","channel":"app:info"}', '{"id":1.5,"channel":"app:info"}', '').map((text) => ({ bytes: frame(OPCODE.text, text), error: true as const })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes: frame(OPCODE.binary, Buffer.from(bytes)), error: true as const })),
);

const control: fc.Arbitrary<Planned> = fc.oneof(
  fc.string({ maxLength: 100 }).map((text) => ({ bytes: frame(OPCODE.ping, text.slice(0, 40)) })),
  fc.string({ maxLength: 40 }).map((text) => ({ bytes: frame(OPCODE.pong, text) })),
);

const fatal: fc.Arbitrary<Planned> = fc.oneof(
  fc.constantFrom(
    frame(OPCODE.text, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
    frame(OPCODE.text, '{}', { mask: false }),
    frame(OPCODE.close, Buffer.from([0x03, 0xe8])),
    frame(OPCODE.ping, 'p'.repeat(126)),
    frame(OPCODE.ping, 'x', { fin: false }),
    frame(OPCODE.continuation, 'x'),
    // A header announcing more than 1 MiB: refused before the body arrives.
    Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4]),
  ),
  fc.integer({ min: 3, max: 7 }).map((opcode) => frame(opcode, 'x')),
  fc.integer({ min: 0xb, max: 0xf }).map((opcode) => frame(opcode, 'x')),
  fc.integer({ min: 1, max: 7 }).map((rsv) => frame(OPCODE.text, '{}', { rsv })),
).map((bytes) => ({ bytes, fatal: true as const }));

const batch = fc.array(fc.oneof({ weight: 5, arbitrary: request }, { weight: 2, arbitrary: junk }, { weight: 1, arbitrary: control }, { weight: 1, arbitrary: fatal }), { minLength: 1, maxLength: 5 });

describe('browser-mode bridge under fuzz', () => {
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(async () => {
    await target.stop();
    reportFuzzCounts();
  });

  const open = () => openRawWebSocket(target.port, `/bridge?token=${target.token}`, { Host: `127.0.0.1:${target.port}`, Origin: target.origin });

  it('answers every frame sequence with typed answers or the protocol close, in time, and keeps serving', { timeout: 300_000 }, async () => {
    await fuzz(
      'bridge frames',
      RUNS,
      fc.asyncProperty(batch, async (frames) => {
        const ws = await open();
        ws.socket.on('error', () => {});
        ws.socket.write(Buffer.concat(frames.map((f) => f.bytes)));
        const endsConnection = frames.some((f) => f.fatal);
        if (!endsConnection) {
          // One answer per request or junk frame (junk that happens to carry a numeric id is answered by id).
          const answers: Record<string, unknown>[] = [];
          for (let i = frames.filter((f) => f.answer !== undefined || f.error).length; i > 0; i--) {
            const answer = await ws.nextText((message) => 'envelope' in message || 'error' in message, ANSWER_MS);
            expect(answer, `${answers.length} answers, then nothing for ${ANSWER_MS} ms`).toBeDefined();
            answers.push(answer!);
          }
          for (const planned of frames.filter((f) => f.answer !== undefined)) {
            const answer = answers.find((message) => message.id === planned.answer);
            expect(answer, `no answer to request ${planned.answer}`).toBeDefined();
          }
          for (const answer of answers) {
            const error = 'error' in answer ? answer.error : (answer.envelope as { ok: boolean; error?: unknown }).ok ? undefined : (answer.envelope as { error: unknown }).error;
            if (error) expect(error).toMatchObject({ code: expect.any(String), message: expect.stringMatching(/\S/) });
          }
          ws.socket.destroy();
        } else {
          await Promise.race([ws.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('a fatal frame did not close the connection')), ANSWER_MS))]);
        }
        const fresh = await open();
        fresh.socket.write(frame(OPCODE.text, JSON.stringify({ id: 0, channel: 'app:ping' })));
        expect(await fresh.nextText((message) => message.id === 0, ANSWER_MS)).toMatchObject({ envelope: { ok: true, value: true } });
        fresh.socket.destroy();
        expect(target.errors).toEqual([]);
      }),
    );
  });

  it('opens the bridge only for the exact token, on /bridge, with an allowed Host and the page\'s own Origin', { timeout: 300_000 }, async () => {
    const { port, token } = target;
    const hosts = fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.1:${port + 1}`, `evil.example:${port}`, '127.0.0.1', `[::1]:${port}`, '');
    /** Mostly right, so that each wrong part is tried on its own as well as together. */
    const mostly = <T>(right: T, wrong: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(right) }, { weight: 2, arbitrary: wrong });
    const tokens = fc.oneof(
      fc.constant(token.toUpperCase()),
      fc.constant([...token].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')), // the same token, percent-encoded
      fc.nat(token.length - 1).map((at) => `${token.slice(0, at)}${token[at] === '0' ? '1' : '0'}${token.slice(at + 1)}`),
      fc.nat(token.length).map((cut) => token.slice(0, cut)),
      fc.string({ maxLength: 4 }).map((extra) => token + extra),
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', minLength: 24, maxLength: 48 }).map(encodeURIComponent),
    );
    const attempt = fc
      .record({
        path: mostly('/bridge', fc.constantFrom('/bridge/', '/Bridge', '//bridge', '/bridge%00', '/x/../bridge', '/')),
        query: mostly(
          `token=${token}`,
          fc.oneof(
            tokens.map((t) => `token=${t}`),
            tokens.map((t) => `token=wrong&token=${t}`),
            tokens.map((t) => `token=${t}&token=wrong`),
            fc.string({ maxLength: 30 }),
          ),
        ),
        host: mostly(`127.0.0.1:${port}`, hosts),
      })
      .chain((parts) =>
        mostly<string | undefined>(`http://${parts.host}`, fc.oneof(hosts.map((h) => `http://${h}`), fc.constantFrom(undefined, 'null', 'https://evil.example', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port}/`, 'file://'))).map(
          (origin) => ({ ...parts, origin }),
        ),
      );
    let opened = 0;
    await fuzz(
      'bridge upgrade (token, Host, Origin)',
      RUNS,
      fc.asyncProperty(attempt, async ({ path, query, host, origin }) => {
        const headers: Record<string, string> = { Host: host, ...(origin === undefined ? {} : { Origin: origin }) };
        const outcome = await openRawWebSocket(port, `${path}?${query}`, headers).then(
          (ws) => (ws.socket.destroy(), 'open'),
          (error: Error) => error.message,
        );
        let expected = false;
        try {
          const url = new URL(`${path}?${query}`, 'http://127.0.0.1');
          const allowed = [`127.0.0.1:${port}`, `localhost:${port}`].includes(host.toLowerCase());
          expected = url.pathname === '/bridge' && url.searchParams.get('token') === token && allowed && origin === `http://${host.toLowerCase()}`;
        } catch {
          expected = false;
        }
        if (expected) expect(outcome).toBe('open');
        if (outcome === 'open') opened++;
        else expect(outcome).toMatch(/^HTTP\/1\.1 4\d\d|closed/);
        expect(target.errors).toEqual([]);
      }),
    );
    // The generator must also produce the one right combination, or the property proves nothing.
    expect(opened).toBeGreaterThan(0);
  });
});
