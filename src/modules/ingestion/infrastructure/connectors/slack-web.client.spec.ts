import { ProviderHttpError } from './provider-http';
import { SlidingWindowRateLimiter } from './rate-limiter';
import { SlackWebClient } from './slack-web.client';

const TOKEN = 'xoxb-secret-token-123';

/** A scripted Slack: each call answers the next reply; the requests are recorded. */
function scripted(replies: { status?: number; body: unknown; headers?: Record<string, string> }[]) {
  const seen: { url: string; body: string; auth: string | undefined }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    seen.push({ url: String(url), body: String(init.body ?? ''), auth: (init.headers as Record<string, string>)?.Authorization });
    const r = replies.shift() ?? { body: { ok: true } };
    return new Response(JSON.stringify(r.body), { status: r.status ?? 200, headers: { 'content-type': 'application/json', ...r.headers } });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, seen };
}

const client = (fetch: typeof globalThis.fetch, waits: number[] = [], maxRetryAfterMs = 60_000) =>
  new SlackWebClient(TOKEN, {
    fetch,
    apiBase: 'https://slack.test/api',
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs },
    sleep: async (ms) => {
      waits.push(ms);
    },
  });

const failure = async (p: Promise<unknown>): Promise<ProviderHttpError> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderHttpError);
  return err as ProviderHttpError;
};

describe('SlackWebClient', () => {
  it('pages with Slack cursors: form-encoded arguments, Bearer token, next_cursor null on the last page', async () => {
    const s = scripted([
      { body: { ok: true, messages: [{ type: 'message', ts: '2.000200', text: 'b' }], has_more: true, response_metadata: { next_cursor: 'bmV4dA==' } } },
      { body: { ok: true, messages: [{ type: 'message', ts: '1.000100', text: 'a' }], has_more: false, response_metadata: { next_cursor: '' } } },
    ]);
    const c = client(s.fetch);
    const first = await c.history('C1', '0.5', null, 1);
    expect(first).toEqual({ items: [expect.objectContaining({ ts: '2.000200' })], nextCursor: 'bmV4dA==' });
    expect((await c.history('C1', '0.5', first.nextCursor, 1)).nextCursor).toBeNull();
    expect(s.seen[0].url).toBe('https://slack.test/api/conversations.history');
    expect(Object.fromEntries(new URLSearchParams(s.seen[1].body))).toMatchObject({ channel: 'C1', oldest: '0.5', cursor: 'bmV4dA==', limit: '1', inclusive: 'false' });
    expect(s.seen[0].auth).toBe(`Bearer ${TOKEN}`);
    expect(s.seen[0].body).not.toContain(TOKEN);
  });

  it('starts each call through the rate limiter of its tier', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new SlidingWindowRateLimiter(2, 60_000, { now: () => now, sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    const s = scripted([0, 1, 2].map(() => ({ body: { ok: true, user: { name: 'ana' } } })));
    const c = new SlackWebClient(TOKEN, { fetch: s.fetch, apiBase: 'https://slack.test/api', rateLimiter: limiter });
    for (let i = 0; i < 3; i++) await c.userName('U1');
    expect(waits).toEqual([60_000]);
    expect(s.seen).toHaveLength(3);
  });

  it('waits a 429 Retry-After within the cap, then retries', async () => {
    const s = scripted([{ status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '2' } }, { body: { ok: true, user: { profile: { real_name: 'Ana Lima' } } } }]);
    const waits: number[] = [];
    expect(await client(s.fetch, waits).userName('U1')).toBe('Ana Lima');
    expect(waits).toEqual([2000]);
    expect(s.seen).toHaveLength(2);
  });

  it('does not wait a Retry-After beyond the cap: a transient error the next run resumes from', async () => {
    const s = scripted([{ status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '900' } }]);
    const waits: number[] = [];
    const err = await failure(client(s.fetch, waits, 60_000).userName('U1'));
    expect(err).toMatchObject({ status: 429, transient: true });
    expect(err.message).toMatch(/asked to wait 900 s .*next run resumes/);
    expect(waits).toEqual([]);
    expect(s.seen).toHaveLength(1);
  });

  it.each([
    [{ ok: false, error: 'missing_scope', needed: 'users:read', provided: 'channels:history <script>' }, /lacks the scope users:read; add it to the Slack app/],
    [{ ok: false, error: 'missing_scope', needed: 'drop table; --' }, /lacks the scope that method needs/],
    [{ ok: false, error: 'not_in_channel' }, /invite the bot to the channel/],
    [{ ok: false, error: 'invalid_auth' }, /no longer accepts the bot token \(users\.info: invalid_auth\): reconnect/],
    [{ ok: false, error: 'token_revoked' }, /reconnect the source/],
    [{ ok: false, error: 'Something <b>odd</b>' }, /^Slack refused users\.info \(not ok\)$/],
  ])('says what to do for %j, echoing nothing else of the body', async (body, message) => {
    const err = await failure(client(scripted([{ body }]).fetch).userName('U1'));
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/provided|<script>|<b>|drop table/);
    expect(err.transient).toBe(false);
  });

  it('an HTTP error names the status, never the body; retried first', async () => {
    const s = scripted([0, 1, 2].map(() => ({ status: 503, body: { secret: 'internal detail' } })));
    const err = await failure(client(s.fetch).userName('U1'));
    expect(err.message).toBe('Slack answered users.info with HTTP 503');
    expect(s.seen).toHaveLength(3);
  });

  it('a stopped run retries nothing: aborted mid-call, it fails at once instead of after its backoff', async () => {
    const controller = new AbortController();
    let calls = 0;
    const hanging = ((_url: string, init: RequestInit) => {
      calls++;
      return new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }));
    }) as unknown as typeof globalThis.fetch;
    // Retries with backoffs of 5-10 s: without the stop they would hold the call for ~15 s.
    const c = new SlackWebClient(TOKEN, { fetch: hanging, apiBase: 'https://slack.test/api', retry: { maxAttempts: 3, baseDelayMs: 5000, maxDelayMs: 10_000 }, signal: controller.signal });
    const t0 = Date.now();
    const call = c.history('C1', null, null).then(() => null, (e: unknown) => e);
    setTimeout(() => controller.abort(new Error('the application is shutting down')), 20);
    expect(await call).toBeInstanceOf(Error);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(calls).toBe(1);
  });
});
