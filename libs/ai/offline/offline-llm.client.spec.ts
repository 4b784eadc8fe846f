import { AiProviderError } from '@libs/ai/ai-call';
import { countTokens } from '@libs/ai/text/tokens';
import { OFFLINE_LLM_MODEL, OfflineLlmClient } from './offline-llm.client';
import { NOT_FOUND_ANSWER } from './offline-text-engine';

const ctx = { workspaceId: null, workflow: 'test', node: 'answer' };
const documents = [
  { id: 'a', text: 'The mobile app crashes on login for Android 14 users.' },
  { id: 'b', text: 'Refunds are processed within five business days. Contact billing for faster refunds.' },
];

describe('OfflineLlmClient', () => {
  const client = new OfflineLlmClient();

  it('answers the last user message from the documents, with citations and usage', async () => {
    const r = await client.complete({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'How long do refunds take?' }], documents }, ctx);
    expect(r).toMatchObject({ provider: 'offline', model: OFFLINE_LLM_MODEL, grounded: true, citations: [2] });
    expect(r.text).toContain('Refunds are processed within five business days. [2]');
    const prompt = countTokens('Be brief.') + countTokens('How long do refunds take?') + countTokens(documents[0].text) + countTokens(documents[1].text);
    expect(r.usage).toEqual({ promptTokens: prompt, completionTokens: countTokens(r.text), totalTokens: prompt + countTokens(r.text) });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('uses earlier user turns for a follow-up without content words', async () => {
    const r = await client.complete({ messages: [{ role: 'user', content: 'Any problems with the Android app?' }, { role: 'assistant', content: '...' }, { role: 'user', content: 'and why is that?' }], documents }, ctx);
    expect(r.grounded).toBe(true);
    expect(r.citations).toEqual([1]);
  });

  it('is not grounded, with the fixed text and no citations, when the documents do not hold the answer (or there are none)', async () => {
    for (const docs of [documents, []]) {
      const r = await client.complete({ messages: [{ role: 'user', content: 'Who won the football match?' }], documents: docs }, ctx);
      expect(r).toMatchObject({ text: NOT_FOUND_ANSWER, citations: [], grounded: false });
    }
  });

  it('summarises the last user message when no documents are given, within maxTokens', async () => {
    const text = 'Release 4.2 ships on Monday. It adds SSO for enterprise workspaces. The SSO setup needs an admin. Lunch was good. Enterprise workspaces get SSO first.';
    const r = await client.complete({ messages: [{ role: 'user', content: text }] }, ctx);
    expect(r.grounded).toBe(true);
    expect(r.citations).toEqual([]);
    expect(r.text).not.toContain('Lunch');
    expect(r.text.length).toBeLessThan(text.length);
    const short = await client.complete({ messages: [{ role: 'user', content: text }], maxTokens: 12 }, ctx);
    expect(countTokens(short.text)).toBeLessThanOrEqual(12);
    expect(short.text).not.toBe('');
  });

  it('refuses a response schema as unsupported (not retryable)', async () => {
    const call = client.complete({ messages: [{ role: 'user', content: 'x' }], responseSchema: { type: 'object' } }, ctx);
    await expect(call).rejects.toBeInstanceOf(AiProviderError);
    await expect(call).rejects.toMatchObject({ kind: 'unsupported', retryable: false });
  });
});
