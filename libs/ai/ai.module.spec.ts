import { createEmbeddingAdapter, createLlmAdapter, embeddingSpaceOf } from './ai.module';
import { OfflineHashingEmbedder } from './offline/offline-hashing.embedder';
import { OfflineLlmClient } from './offline/offline-llm.client';
import { OpenAiEmbedder } from './openai/openai.embedder';
import { OpenAiLlmClient } from './openai/openai-llm.client';

const limits = { timeoutMs: 1000, maxRetries: 0 };

describe('embeddingSpaceOf / adapters chosen by settings', () => {
  it('is offline-hashing-v1 at 384 dimensions by default, whatever model is named', () => {
    expect(embeddingSpaceOf({ embeddings: { provider: 'offline', ...limits } })).toEqual({ provider: 'offline', model: 'offline-hashing-v1', dimension: 384 });
    expect(embeddingSpaceOf({ embeddings: { provider: 'offline', model: 'text-embedding-3-small', dimension: 256, ...limits } })).toEqual({ provider: 'offline', model: 'offline-hashing-v1', dimension: 256 });
    const adapter = createEmbeddingAdapter({ embeddings: { provider: 'offline', dimension: 256, ...limits } });
    expect(adapter).toBeInstanceOf(OfflineHashingEmbedder);
    expect(adapter.dimension).toBe(256);
  });

  it('is text-embedding-3-small at 1536 for openai unless configured', () => {
    expect(embeddingSpaceOf({ embeddings: { provider: 'openai', ...limits } })).toEqual({ provider: 'openai', model: 'text-embedding-3-small', dimension: 1536 });
    expect(embeddingSpaceOf({ embeddings: { provider: 'openai', model: 'nomic-embed-text', dimension: 768, ...limits } })).toEqual({ provider: 'openai', model: 'nomic-embed-text', dimension: 768 });
    const adapter = createEmbeddingAdapter({ embeddings: { provider: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model: 'nomic-embed-text', dimension: 768, ...limits } });
    expect(adapter).toBeInstanceOf(OpenAiEmbedder);
    expect([adapter.model, adapter.dimension]).toEqual(['nomic-embed-text', 768]);
  });

  it('chooses the offline engine or the OpenAI-compatible client for chat', () => {
    expect(createLlmAdapter({ llm: { provider: 'offline', model: 'gpt-4o-mini', ...limits } })).toBeInstanceOf(OfflineLlmClient);
    const openai = createLlmAdapter({ llm: { provider: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model: 'gpt-4.1-mini', ...limits } });
    expect(openai).toBeInstanceOf(OpenAiLlmClient);
    expect(openai.model).toBe('gpt-4.1-mini');
  });
});
