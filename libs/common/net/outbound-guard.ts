import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { checkAddress, describeRefusal, OutboundAllowList, OutboundRefusal } from './address-policy';

/** Every address a name resolves to (the OS resolver with /etc/hosts, as a plain connect would use). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

/** DI token of a ResolveAll replacing the OS resolver (tests map a host name to a loopback address). */
export const OUTBOUND_RESOLVER = Symbol('OUTBOUND_RESOLVER');

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** An outbound connection was not made: the address it would have reached is not allowed. */
export class OutboundConnectionRefusedError extends Error {
  readonly code = 'E_OUTBOUND_REFUSED';

  constructor(readonly refusal: OutboundRefusal) {
    super(describeRefusal(refusal));
    this.name = 'OutboundConnectionRefusedError';
  }
}

/** A provider's answer was larger than allowed; it was not read further. */
export class ResponseTooLargeError extends Error {
  readonly code = 'E_RESPONSE_TOO_LARGE';

  constructor(readonly maxBytes: number) {
    super(`the answer is larger than the ${maxBytes} bytes allowed`);
    this.name = 'ResponseTooLargeError';
  }
}

/** The refusal behind an error, whether it came directly or wrapped by fetch (`TypeError: fetch failed`, cause ...). */
export function outboundRefusalOf(err: unknown): OutboundConnectionRefusedError | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundConnectionRefusedError) return e;
    // Several addresses tried (autoSelectFamily): each attempt's error in an AggregateError.
    if (e instanceof AggregateError) {
      const inner = e.errors.map(outboundRefusalOf).find(Boolean);
      if (inner) return inner;
    }
  }
  return null;
}

export interface OutboundGuardOptions {
  /** CONNECTOR_ALLOWED_HOSTS: hosts and CIDRs that may be reached although not public. */
  allowList?: OutboundAllowList | string;
  /** Resolver (tests map a name to an address); the OS resolver by default. */
  resolve?: ResolveAll;
  /** TCP/TLS connect timeout. */
  connectTimeoutMs?: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Outbound HTTP that cannot be aimed inward (SSRF). The check runs AT CONNECT TIME on the very
 * addresses the socket is given: the `lookup` handed to net/tls.connect resolves the name, refuses
 * when any answer is not allowed, and answers only checked addresses, so there is no window between
 * a check and a second resolution (DNS rebinding). Literal IPs (which skip `lookup`) are checked
 * before connecting. Redirects are never followed. One keep-alive pool per guard.
 *
 * Reusable by any outbound client: `guard.fetch` (undici's fetch on the guarded dispatcher) or
 * `guard.dispatcher` for clients that take an undici dispatcher.
 */
export class OutboundGuard {
  readonly allowList: OutboundAllowList;
  readonly dispatcher: Agent;
  private readonly resolveAll: ResolveAll;

  constructor(options: OutboundGuardOptions = {}) {
    this.allowList = typeof options.allowList === 'string' ? OutboundAllowList.parse(options.allowList) : (options.allowList ?? OutboundAllowList.none);
    this.resolveAll = options.resolve ?? systemResolve;
    const base = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000, lookup: this.lookup } as buildConnector.BuildOptions);
    const connect: buildConnector.connector = (opts, callback) => {
      const host = opts.hostname.replace(/^\[(.*)\]$/, '$1');
      if (isIP(host)) {
        const refusal = checkAddress(host, host, this.allowList);
        if (refusal) {
          callback(new OutboundConnectionRefusedError(refusal), null);
          return;
        }
      }
      base(opts, callback);
    };
    this.dispatcher = new Agent({ connect });
  }

  /** undici's fetch through the guarded dispatcher; redirects are an error (a redirect could point inward). */
  fetch = ((input: Parameters<typeof undiciFetch>[0], init: Parameters<typeof undiciFetch>[1] = {}) =>
    undiciFetch(input, { ...init, dispatcher: this.dispatcher, redirect: 'error' })) as unknown as typeof globalThis.fetch;

  /**
   * For a client that opens its own sockets (IMAP): throws for a refused IP literal (net/tls skip
   * `lookup` for those), else answers the checked `lookup` to hand net/tls.connect, so the socket
   * reaches only addresses checked after resolution, as the HTTP dispatcher does.
   */
  socketLookup(host: string): (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => void {
    const literal = host.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal)) {
      const refusal = checkAddress(literal, literal, this.allowList);
      if (refusal) throw new OutboundConnectionRefusedError(refusal);
    }
    return this.lookup;
  }

  /** Ends the pool, cutting what is still in flight (callers stop their requests first). */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }

  /** net/tls.connect's `lookup` (both the single and the `all` form: autoSelectFamily asks for all). */
  private readonly lookup = (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    this.resolveAll(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        for (const a of addresses) {
          const refusal = checkAddress(hostname, a.address, this.allowList);
          if (refusal) throw new OutboundConnectionRefusedError(refusal);
        }
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family) || 0;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        if (options.all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, ''));
  };
}

/**
 * The body of a provider's answer, at most `maxBytes`: a Content-Length above the cap is refused
 * before reading, and a body that grows past it while streaming is cancelled (the connection is
 * not read to its end), so a hostile or broken provider cannot exhaust memory.
 */
export async function readBodyCapped(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(maxBytes);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes);
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}
