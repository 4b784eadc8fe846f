import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { OutboundConnectionRefusedError, OutboundGuard, outboundRefusalOf, readBodyCapped, ResponseTooLargeError } from './outbound-guard';

/** Only loopback servers here: a test never connects anywhere else. */
describe('OutboundGuard (connect-time checks on a real socket)', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  const guards: OutboundGuard[] = [];
  const guard = (opts: ConstructorParameters<typeof OutboundGuard>[0] = {}) => {
    const g = new OutboundGuard(opts);
    guards.push(g);
    return g;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/inside` }).end();
      } else if (req.url === '/big-chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = (): void => {
          while (sent < 64) {
            sent++;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      } else if (req.url === '/big-declared') {
        res.writeHead(200, { 'content-length': String(4 * 1024 * 1024) });
        res.end(Buffer.alloc(4 * 1024 * 1024, 'b'));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all(guards.map((g) => g.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const refusalOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeNull();
    const refusal = outboundRefusalOf(err);
    expect(refusal).toBeInstanceOf(OutboundConnectionRefusedError);
    return refusal!.refusal;
  };

  it('refuses loopback in every spelling, by literal or by name, and the server sees no request', async () => {
    const g = guard();
    for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '[::1]', '[::ffff:127.0.0.1]', 'localhost']) {
      expect(await refusalOf(g.fetch(`http://${host}:${port}/secret`, { headers: { authorization: 'Bearer t' } }))).toMatchObject({ category: 'loopback' });
    }
    expect(seen).toEqual([]);
  });

  it('checks the addresses a name resolves to at connect time: a public-looking name that resolves inward is refused', async () => {
    const resolve = jest.fn(async (name: string) => (name === 'chatwoot.rebind.test' ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.1.2.3', family: 4 }, { address: '127.0.0.1', family: 4 }]));
    const g = guard({ resolve });
    expect(await refusalOf(g.fetch(`http://chatwoot.rebind.test:${port}/`))).toMatchObject({ host: 'chatwoot.rebind.test', category: 'loopback' });
    // Any inward answer among several refuses the connection (no trying the next one).
    expect(await refusalOf(g.fetch(`http://mixed.test:${port}/`))).toMatchObject({ category: 'private' });
    expect(resolve).toHaveBeenCalledWith('chatwoot.rebind.test');
    expect(seen).toEqual([]);
  });

  it('connects to the very address it checked (the resolver injected here is the only one that knows the name)', async () => {
    const g = guard({ allowList: '127.0.0.1', resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const res = await g.fetch(`http://svc.internal.test:${port}/ok`);
    expect(await res.json()).toEqual({ ok: true });
    expect(seen).toEqual(['/ok']);
  });

  it('lets an allowlisted address, name or CIDR through', async () => {
    expect((await guard({ allowList: '127.0.0.0/8' }).fetch(`http://127.0.0.1:${port}/a`)).status).toBe(200);
    expect((await guard({ allowList: 'localhost' }).fetch(`http://localhost:${port}/b`)).status).toBe(200);
    expect(seen).toEqual(['/a', '/b']);
  });

  it('never follows a redirect (it could point inward)', async () => {
    const g = guard({ allowList: '127.0.0.1' });
    await expect(g.fetch(`http://127.0.0.1:${port}/redirect`)).rejects.toThrow();
    expect(seen).toEqual(['/redirect']);
  });

  it('caps the body: a declared length above the cap is refused unread, a streamed one is cut at the cap', async () => {
    const g = guard({ allowList: '127.0.0.1' });
    await expect(readBodyCapped(await g.fetch(`http://127.0.0.1:${port}/big-declared`), 1024 * 1024)).rejects.toBeInstanceOf(ResponseTooLargeError);
    await expect(readBodyCapped(await g.fetch(`http://127.0.0.1:${port}/big-chunked`), 1024 * 1024)).rejects.toThrow(/larger than the 1048576 bytes allowed/);
    expect((await readBodyCapped(await g.fetch(`http://127.0.0.1:${port}/small`), 1024)).toString()).toBe('{"ok":true}');
    expect((await readBodyCapped(await g.fetch(`http://127.0.0.1:${port}/big-chunked`), 8 * 1024 * 1024)).length).toBe(64 * 64 * 1024);
  });
});
