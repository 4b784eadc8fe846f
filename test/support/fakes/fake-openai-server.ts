/**
 * A fake OpenAI-compatible server for tests: node:http on 127.0.0.1, random port.
 *
 *   const fake = await FakeOpenAiServer.start();          // start({ apiKey: 'sk-test' }): 401 without that bearer key
 *   settings.baseUrl = fake.baseUrl;                        // http://127.0.0.1:<port>/v1
 *   ...
 *   await fake.close();
 *
 * Routes
 *   POST /v1/embeddings        One vector per input, in order (`index`), of the requested `dimensions`
 *                              (1536 when absent), from the offline hashing embedder: deterministic, and
 *                              similar texts get similar vectors. `encoding_format` float or base64.
 *                              usage.prompt_tokens counted like libs/ai (countTokens).
 *                              fake.embedWith((inputs, dimensions) => number[][]) replaces the vectors
 *                              (e.g. a wrong dimension).
 *   POST /v1/chat/completions  fake.replyWith((body) => string | { content, model? }) sets the reply
 *                              (default, and after replyWith(): "Echo: <last user message>"), with usage.
 *   GET  /v1/models            One model, `fake-model`.
 *
 * Failures, consumed in order by the next requests (of `path` only, when given):
 *   fake.failNext(2, { status: 429, retryAfterSeconds: 0 })  // Retry-After header when given
 *   fake.failNext(1, { status: 500 })                         // any status; OpenAI's error body
 *   fake.failNext(1, 'timeout')                               // accepted, never answered
 *   fake.failNext(1, 'reset', '/v1/embeddings')               // connection destroyed (ECONNRESET)
 *
 * fake.requests lists every request (method, path, headers, body, status answered or null);
 * fake.since(n) those from index n on.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { OfflineHashingEmbedder } from '@libs/ai/offline/offline-hashing.embedder';
import { countTokens } from '@libs/ai/text/tokens';

export type FakeFailure = { status: number; retryAfterSeconds?: number; body?: unknown } | 'timeout' | 'reset';

export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** What was answered; null for a request held ('timeout') or cut ('reset'). */
  status: number | null;
}

export type ChatReply = string | { content: string | null; model?: string };

export class FakeOpenAiServer {
  readonly requests: FakeRequest[] = [];
  baseUrl = '';
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly failures: { failure: FakeFailure; path?: string }[] = [];
  private readonly embedders = new Map<number, OfflineHashingEmbedder>();
  private reply = this.echo;
  private vectors = this.hashedVectors;

  private constructor(private readonly apiKey?: string) {}

  static async start(options: { apiKey?: string } = {}): Promise<FakeOpenAiServer> {
    const fake = new FakeOpenAiServer(options.apiKey);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    fake.server.on('connection', (s) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
    return fake;
  }

  failNext(count: number, failure: FakeFailure, path?: string): this {
    for (let i = 0; i < count; i++) this.failures.push({ failure, path });
    return this;
  }

  /** Without an argument: back to the echo. */
  replyWith(reply?: (body: any) => ChatReply): this {
    this.reply = reply ?? this.echo;
    return this;
  }

  /** Without an argument: back to the hashed vectors. */
  embedWith(vectors?: (inputs: string[], dimensions: number) => number[][]): this {
    this.vectors = vectors ?? this.hashedVectors;
    return this;
  }

  /** Requests from `index` on, e.g. `fake.since(before)` with `before = fake.requests.length`. */
  since(index: number): FakeRequest[] {
    return this.requests.slice(index);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const seen: FakeRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, status: null };
    this.requests.push(seen);
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      seen.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    };

    if (this.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return answer(401, openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    }
    const failureAt = this.failures.findIndex((f) => f.path === undefined || f.path === path);
    if (failureAt >= 0) {
      const { failure } = this.failures.splice(failureAt, 1)[0];
      if (failure === 'timeout') return; // held until the client gives up or close()
      if (failure === 'reset') {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      return answer(failure.status, failure.body ?? openAiError(`fake failure ${failure.status}`, failure.status === 429 ? 'rate_limit_exceeded' : 'server_error', null), headers);
    }

    if (req.method === 'GET' && path === '/v1/models') {
      return answer(200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }] });
    }
    if (req.method === 'POST' && path === '/v1/embeddings') return answer(200, this.embeddings(body));
    if (req.method === 'POST' && path === '/v1/chat/completions') return answer(200, this.chat(body));
    return answer(404, openAiError(`no route ${req.method} ${path}`, 'invalid_request_error', null));
  }

  private embeddings(body: any): unknown {
    const inputs: string[] = typeof body?.input === 'string' ? [body.input] : (body?.input ?? []);
    const dimensions: number = body?.dimensions ?? 1536;
    const vectors = this.vectors(inputs, dimensions);
    const tokens = inputs.reduce((n, t) => n + countTokens(t), 0);
    return {
      object: 'list',
      model: body?.model,
      data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: body?.encoding_format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }

  private chat(body: any): unknown {
    const r = this.reply(body);
    const content = typeof r === 'string' ? r : r.content;
    const prompt = (body?.messages ?? []).reduce((n: number, m: any) => n + countTokens(String(m.content ?? '')), 0);
    const completion = countTokens(content ?? '');
    return {
      id: `chatcmpl-fake-${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: (typeof r === 'string' ? undefined : r.model) ?? body?.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
  }

  private echo(body: any): ChatReply {
    return `Echo: ${[...(body?.messages ?? [])].reverse().find((m: any) => m.role === 'user')?.content ?? ''}`;
  }

  private hashedVectors(inputs: string[], dimensions: number): number[][] {
    return inputs.map((t) => Array.from(this.embedderOf(dimensions).vector(t)));
  }

  private embedderOf(dimension: number): OfflineHashingEmbedder {
    let e = this.embedders.get(dimension);
    if (!e) this.embedders.set(dimension, (e = new OfflineHashingEmbedder(dimension)));
    return e;
  }
}

function openAiError(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}
