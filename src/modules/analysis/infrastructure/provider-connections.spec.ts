import { apiBaseOf, withoutSecret } from './provider-connections';

describe('provider connections', () => {
  it('reaches Ollama on its OpenAI-compatible /v1, other servers on the URL given', () => {
    expect(apiBaseOf({ type: 'ollama', baseUrl: 'http://gpu.example.com:11434' })).toBe('http://gpu.example.com:11434/v1');
    expect(apiBaseOf({ type: 'ollama', baseUrl: 'http://gpu.example.com:11434/v1/' })).toBe('http://gpu.example.com:11434/v1');
    expect(apiBaseOf({ type: 'openai-compatible', baseUrl: 'https://api.example.com/openai/' })).toBe('https://api.example.com/openai');
  });

  it('strips every occurrence of the key from a reason and bounds its length', () => {
    expect(withoutSecret('401: Incorrect API key provided: sk-abc123; got sk-abc123', 'sk-abc123')).toBe('401: Incorrect API key provided: [redacted]; got [redacted]');
    expect(withoutSecret('no key here', null)).toBe('no key here');
    const long = withoutSecret('x'.repeat(2000), null);
    expect(long.length).toBe(500);
    expect(long.endsWith('…')).toBe(true);
  });
});
