import { explicitMemoryChanges, inputText } from './agent-execution.runner';

describe('what an execution reads from its input', () => {
  it('gives the model the input text, else the whole input as JSON', () => {
    expect(inputText({ text: 'Hello', remember: { a: 'b' } })).toBe('Hello');
    expect(inputText({ text: '   ', n: 1 })).toBe('{"text":"   ","n":1}');
    expect(inputText({ eventType: 'x.y', data: { id: 1 } })).toBe('{"eventType":"x.y","data":{"id":1}}');
  });

  it('takes remember (string values only) and forget (strings only) as explicit memory changes', () => {
    expect(explicitMemoryChanges({ remember: { tone: 'formal', count: 3, nested: { x: 1 } }, forget: ['old', 7] })).toEqual({ set: [{ key: 'tone', value: 'formal' }], forget: ['old'] });
    expect(explicitMemoryChanges({ remember: ['not', 'an', 'object'], forget: 'old' })).toEqual({ set: [], forget: [] });
    expect(explicitMemoryChanges({})).toEqual({ set: [], forget: [] });
  });
});
