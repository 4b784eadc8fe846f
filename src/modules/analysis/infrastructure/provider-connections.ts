import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { AiProviderError } from '@libs/ai/ai-call';
import { LlmClient } from '@libs/ai/llm-client';
import { attemptSignal, createOpenAiClient, toAiProviderError } from '@libs/ai/openai/openai-connection';
import { OpenAiLlmClient } from '@libs/ai/openai/openai-llm.client';
import { checkHostName, describeRefusal } from '@libs/common/net/address-policy';
import { OUTBOUND_RESOLVER, OutboundGuard, outboundRefusalOf, ResolveAll } from '@libs/common/net/outbound-guard';
import type { LlmProviderKind } from '@modules/analysis/domain/configuration/configuration-settings';

/** Where a provider is and how to reach it (the key opened for this call only). */
export interface ProviderEndpoint {
  type: LlmProviderKind;
  baseUrl: string;
  apiKey: string | null;
}

/** The longest validation error kept: enough for the server's reason, never a whole page. */
const MAX_ERROR_LENGTH = 500;

/**
 * Outbound calls to the LLM providers a workspace admin configures. A base URL is typed by an
 * admin, so it goes through the same inward-connect guard as the connectors
 * (CONNECTOR_ALLOWED_HOSTS): refused early when saved if it is already known to be inward, and
 * checked again at connect time on the addresses its name resolves to (OutboundGuard), whatever
 * was saved. Ollama is reached on its OpenAI-compatible API (`<base>/v1`).
 */
@Injectable()
export class ProviderConnections implements OnApplicationShutdown {
  private readonly guard: OutboundGuard;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(OUTBOUND_RESOLVER) resolve?: ResolveAll,
  ) {
    this.guard = new OutboundGuard({ allowList: config.CONNECTOR_ALLOWED_HOSTS, resolve });
  }

  /** Why a base URL cannot be saved (not http(s), credentials in it, an inward host), or null. */
  baseUrlProblem(value: string): string | null {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'baseUrl must be an http(s) URL';
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'baseUrl must be an http(s) URL';
    if (url.username || url.password) return 'baseUrl must not carry credentials (give the key as apiKey)';
    if (url.search || url.hash) return 'baseUrl must not have a query or a fragment';
    const refusal = checkHostName(url.hostname, this.guard.allowList);
    return refusal ? `baseUrl is refused: ${describeRefusal(refusal)}` : null;
  }

  /** A chat client for one model of the provider (unmetered: the caller meters it). */
  client(endpoint: ProviderEndpoint, model: string): LlmClient {
    return new OpenAiLlmClient({
      baseUrl: apiBaseOf(endpoint),
      apiKey: endpoint.apiKey ?? undefined,
      model,
      timeoutMs: this.config.LLM_TIMEOUT_MS,
      maxRetries: this.config.LLM_MAX_RETRIES,
      fetch: this.guard.fetch,
    });
  }

  /**
   * The real test call: the provider's model list (GET <api>/models), which proves the server
   * answers as an OpenAI-compatible API and accepts the key, without spending tokens. Answers
   * null when it does, else why not, without the key (stripped wherever the server echoed it).
   */
  async check(endpoint: ProviderEndpoint): Promise<string | null> {
    const connection = { baseUrl: apiBaseOf(endpoint), apiKey: endpoint.apiKey ?? undefined, timeoutMs: Math.min(this.config.LLM_TIMEOUT_MS, 30_000), maxRetries: 0, fetch: this.guard.fetch };
    const client = createOpenAiClient(connection);
    const signal = attemptSignal(connection);
    try {
      const models = await client.models.list({ signal });
      if (!Array.isArray(models.data)) return 'the server did not answer a model list';
      return null;
    } catch (err) {
      return withoutSecret(reasonOf(err, endpoint, signal), endpoint.apiKey);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.guard.close();
  }
}

/** The OpenAI-compatible API root: Ollama serves it under /v1. */
export function apiBaseOf(endpoint: Pick<ProviderEndpoint, 'type' | 'baseUrl'>): string {
  const base = endpoint.baseUrl.replace(/\/+$/, '');
  return endpoint.type === 'ollama' && !/\/v1$/.test(base) ? `${base}/v1` : base;
}

function reasonOf(err: unknown, endpoint: ProviderEndpoint, signal: AbortSignal): string {
  const refusal = outboundRefusalOf(err);
  if (refusal) return `the base URL is refused: ${refusal.message}`;
  const mapped = toAiProviderError(err, endpoint.type, 'models', signal);
  if (mapped instanceof AiProviderError) return mapped.message;
  return mapped instanceof Error ? mapped.message : String(mapped);
}

/** The message with every occurrence of the key replaced, cut to a bounded length. */
export function withoutSecret(message: string, secret: string | null): string {
  let out = message;
  if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out.length > MAX_ERROR_LENGTH ? `${out.slice(0, MAX_ERROR_LENGTH - 1)}…` : out;
}
