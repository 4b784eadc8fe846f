import { OutboundConnectionRefusedError } from '@libs/common/net/outbound-guard';
import { backoffDelay, parseRetryAfter, ProviderHttpClient, ProviderHttpError } from './provider-http';
import { SlidingWindowRateLimiter } from './rate-limiter';

type Step = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> } | { error: Error } | { hang: true };

/** A fetch that answers from a script, and the waits the client asked for. */
function scripted(steps: Step[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const sleeps: number[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const step = steps.shift() ?? { status: 200, body: { ok: true } };
    if ('error' in step) throw step.error;
    if ('hang' in step) {
      return new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    }
    return new Response(step.raw ?? (step.body === undefined ? '' : JSON.stringify(step.body)), { status: step.status, headers: step.headers });
  }) as unknown as typeof fetch;
  const sleep = async (ms: number, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    sleeps.push(ms);
  };
  return { calls, sleeps, fetchFn, sleep };
}

const get = { method: 'GET' as const, url: 'https://api.example.com/v2/things?page=2', headers: { api_access_token: 'secret-token' } };

describe('ProviderHttpClient', () => {
  it('retries a 429 after the Retry-After seconds, then answers the JSON body', async () => {
    const s = scripted([{ status: 429, headers: { 'retry-after': '2' } }, { status: 200, body: { payload: [1, 2] } }]);
    const client = new ProviderHttpClient('chatwoot', { fetch: s.fetchFn, sleep: s.sleep });
    await expect(client.json(get)).resolves.toEqual({ status: 200, body: { payload: [1, 2] } });
    expect(s.sleeps).toEqual([2000]);
    expect(s.calls).toHaveLength(2);
    expect((s.calls[0].init.headers as Record<string, string>).api_access_token).toBe('secret-token');
  });

  it('backs off exponentially with jitter on 5xx and network errors, within bounds', async () => {
    const s = scripted([{ status: 500 }, { status: 502 }, { error: new TypeError('fetch failed') }, { status: 503 }, { status: 200, body: {} }]);
    const client = new ProviderHttpClient('gong', { fetch: s.fetchFn, sleep: s.sleep, random: () => 1, retry: { baseDelayMs: 100, maxDelayMs: 500 } });
    await client.json(get);
    // Equal jitter with random() = 1: the full step, doubling up to the cap.
    expect(s.sleeps).toEqual([100, 200, 400, 500]);
    expect(backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 10_000 }, () => 0)).toBe(200);
  });

  it('reads a refusal\'s reason when asked (Google\'s 403 quota): a transient reason is retried, a final one fails with the code alone, never the body', async () => {
    const reasonOf = (_status: number, body: unknown) => {
      const r = (body as { error?: { errors?: { reason?: string }[] } } | null)?.error?.errors?.[0]?.reason;
      return r === 'rateLimitExceeded' ? { reason: r, transient: true } : r === 'insufficientPermissions' ? { reason: r, transient: false } : null;
    };
    const quota = { error: { code: 403, message: 'Rate Limit Exceeded internal-detail', errors: [{ reason: 'rateLimitExceeded' }] } };
    const s = scripted([{ status: 403, body: quota }, { status: 403, body: quota }, { status: 200, body: { ok: 1 } }]);
    const client = new ProviderHttpClient('gmail', { fetch: s.fetchFn, sleep: s.sleep, random: () => 1, retry: { baseDelayMs: 100 } });
    await expect(client.json({ ...get, refusalReason: reasonOf })).resolves.toEqual({ status: 200, body: { ok: 1 } });
    expect(s.sleeps).toEqual([100, 200]);

    const scope = scripted([{ status: 403, body: { error: { message: 'insufficient scopes internal-detail', errors: [{ reason: 'insufficientPermissions' }] } } }]);
    const err = await new ProviderHttpClient('gmail', { fetch: scope.fetchFn, sleep: scope.sleep }).json({ ...get, refusalReason: reasonOf }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, reason: 'insufficientPermissions', transient: false, message: 'Gmail answered 403 Forbidden (insufficientPermissions) to GET /v2/things' });
    // Without refusalReason a 403 is final and its body unread, as before.
    const plain = scripted([{ status: 403, body: quota }]);
    expect(await new ProviderHttpClient('gmail', { fetch: plain.fetchFn, sleep: plain.sleep }).json(get).catch((e: unknown) => e)).toMatchObject({ status: 403, reason: null, message: 'Gmail answered 403 Forbidden to GET /v2/things' });
    expect(plain.calls).toHaveLength(1);
  });

  it('gives up after maxAttempts with a transient error naming the provider and path, never the credentials', async () => {
    const s = scripted(Array.from({ length: 5 }, () => ({ status: 500, body: { error: 'boom' } })));
    const client = new ProviderHttpClient('chatwoot', { fetch: s.fetchFn, sleep: s.sleep, retry: { maxAttempts: 3 } });
    const err = await client.json(get).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err).toMatchObject({ provider: 'chatwoot', status: 500, attempts: 3, transient: true });
    expect((err as Error).message).toBe('Chatwoot GET /v2/things failed after 3 attempts: 500 Internal Server Error');
    expect((err as Error).message).not.toContain('secret-token');
    expect(s.calls).toHaveLength(3);
  });

  it('fails at once on other 4xx, and on a Retry-After longer than it may wait', async () => {
    const s = scripted([{ status: 401, body: { error: 'bad token' } }]);
    await expect(new ProviderHttpClient('chatwoot', { fetch: s.fetchFn, sleep: s.sleep }).json(get)).rejects.toMatchObject({ status: 401, transient: false, attempts: 1 });
    const t = scripted([{ status: 429, headers: { 'retry-after': '86400' } }]);
    await expect(new ProviderHttpClient('gong', { fetch: t.fetchFn, sleep: t.sleep }).json(get)).rejects.toThrow(/asks to wait 86400 s/);
    expect(t.sleeps).toEqual([]);
  });

  it('answers accepted statuses as results (Gong 404 "no calls found")', async () => {
    const s = scripted([{ status: 404, body: { errors: ['No calls found corresponding to the provided filters'] } }]);
    const res = await new ProviderHttpClient('gong', { fetch: s.fetchFn, sleep: s.sleep }).json({ ...get, method: 'POST', body: { filter: {} }, acceptStatuses: [404] });
    expect(res.status).toBe(404);
    expect(JSON.parse(String(s.calls[0].init.body))).toEqual({ filter: {} });
    expect((s.calls[0].init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('times an attempt out and retries it; the caller\'s abort stops everything', async () => {
    const s = scripted([{ hang: true }, { status: 200, body: { ok: 1 } }]);
    const client = new ProviderHttpClient('gong', { fetch: s.fetchFn, sleep: s.sleep, retry: { timeoutMs: 50 } });
    await expect(client.json(get)).resolves.toMatchObject({ body: { ok: 1 } });
    expect(s.calls).toHaveLength(2);

    const a = scripted([{ hang: true }]);
    const controller = new AbortController();
    const pending = new ProviderHttpClient('gong', { fetch: a.fetchFn, sleep: a.sleep, retry: { timeoutMs: 10_000 } }).json({ ...get, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop now')), 20);
    await expect(pending).rejects.toThrow('stop now');
    expect(a.calls).toHaveLength(1);
  });

  it('waits for the rate limiter before each attempt', async () => {
    const acquired: number[] = [];
    const limiter = new SlidingWindowRateLimiter(3, 1000);
    const original = limiter.acquire.bind(limiter);
    limiter.acquire = (signal?: AbortSignal) => {
      acquired.push(acquired.length);
      return original(signal);
    };
    const s = scripted([{ status: 500 }, { status: 200, body: {} }]);
    await new ProviderHttpClient('gong', { fetch: s.fetchFn, sleep: s.sleep, rateLimiter: limiter }).json(get);
    expect(acquired).toHaveLength(2);
  });

  it('never puts a byte of the provider\'s body in an error (stored in syncError, read by viewers): status and a fixed description only', async () => {
    const marker = 'INTERNAL-ADMIN-PANEL root:x:0:0 db_password=hunter2';
    const cases: [Step, RegExp][] = [
      [{ status: 500, raw: `<html>${marker}</html>` }, /^Chatwoot GET \/v2\/things failed after 1 attempts: 500 Internal Server Error$/],
      [{ status: 403, raw: marker }, /^Chatwoot answered 403 Forbidden to GET \/v2\/things$/],
      [{ status: 404, body: { error: marker } }, /^Chatwoot answered 404 Not Found to GET \/v2\/things$/],
      [{ status: 200, raw: `not json ${marker}` }, /^Chatwoot answered 200 OK to GET \/v2\/things with a body that is not JSON$/],
    ];
    for (const [step, message] of cases) {
      const s = scripted([step]);
      const err = (await new ProviderHttpClient('chatwoot', { fetch: s.fetchFn, sleep: s.sleep, retry: { maxAttempts: 1 } }).json(get).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ProviderHttpError);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('INTERNAL-ADMIN-PANEL');
    }
    // A path that carries a secret is named as the caller describes it.
    const s = scripted([{ status: 401, body: {} }]);
    const err = (await new ProviderHttpClient('telegram', { fetch: s.fetchFn, sleep: s.sleep }).json({ method: 'GET', url: 'https://api.telegram.org/bot123:SECRET/getMe', describeAs: 'getMe' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('Telegram answered 401 Unauthorized to GET getMe');
  });

  it('caps the answer: a body over maxResponseBytes fails the request at once (not retried) with a clear error', async () => {
    const big = JSON.stringify({ payload: 'x'.repeat(5000) });
    const s = scripted([{ status: 200, raw: big }, { status: 200, raw: big }]);
    const err = (await new ProviderHttpClient('gong', { fetch: s.fetchFn, sleep: s.sleep, maxResponseBytes: 4096 }).json(get).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err).toMatchObject({ provider: 'gong', transient: false, attempts: 1 });
    expect(err.message).toBe("Gong's answer to GET /v2/things is larger than 4096 bytes (CONNECTOR_MAX_RESPONSE_BYTES); it was not read");
    expect(s.calls).toHaveLength(1);
    const t = scripted([{ status: 200, raw: big }]);
    await expect(new ProviderHttpClient('gong', { fetch: t.fetchFn, sleep: t.sleep, maxResponseBytes: 8192 }).json(get)).resolves.toMatchObject({ status: 200 });
  });

  it('does not retry a connection the outbound guard refused (nothing was sent; retrying cannot change it)', async () => {
    const refusal = new OutboundConnectionRefusedError({ host: 'chat.internal.example', address: '10.0.0.5', category: 'private' });
    const s = scripted([{ error: new TypeError('fetch failed', { cause: refusal }) }, { status: 200, body: {} }]);
    const err = (await new ProviderHttpClient('chatwoot', { fetch: s.fetchFn, sleep: s.sleep }).json(get).catch((e: unknown) => e)) as ProviderHttpError;
    expect(err).toMatchObject({ transient: false, attempts: 1, status: null });
    expect(err.message).toBe('Chatwoot GET /v2/things not sent: connecting to chat.internal.example was refused: it is a private address, which outbound connections may not reach (see CONNECTOR_ALLOWED_HOSTS)');
    expect(err.message).not.toContain('10.0.0.5');
    expect(s.calls).toHaveLength(1);
  });

  it('names a network failure by its code, never by the cause\'s text', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.9.8.7:5432 secret banner'), { code: 'ECONNREFUSED' });
    const s = scripted([{ error: new TypeError('fetch failed', { cause }) }]);
    const err = (await new ProviderHttpClient('gong', { fetch: s.fetchFn, sleep: s.sleep, retry: { maxAttempts: 1 } }).json(get).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('Gong GET /v2/things failed after 1 attempts: network error (ECONNREFUSED)');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('1')).toBe(1000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30_000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
