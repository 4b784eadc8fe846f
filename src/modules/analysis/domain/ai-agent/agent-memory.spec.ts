import { applyMemoryChanges, emptyMemory, MEMORY_MAX_ENTRIES, MEMORY_TOTAL_MAX, MEMORY_VALUE_MAX, memoryKey, memoryPassages, sanitizeMemoryChanges } from './agent-memory';

const by = (at: string, executionId: string | null = 'e-1') => ({ at, executionId });

describe('agent memory', () => {
  it('sets and forgets keys, recording who wrote each and when', () => {
    const first = applyMemoryChanges(emptyMemory(), { set: [{ key: 'acme.channel', value: 'Acme prefers email' }, { key: 'tone', value: 'formal' }], forget: [] }, by('2026-12-03T10:00:00Z'));
    expect(first.memory.entries).toEqual({
      'acme.channel': { value: 'Acme prefers email', updatedAt: '2026-12-03T10:00:00Z', executionId: 'e-1' },
      tone: { value: 'formal', updatedAt: '2026-12-03T10:00:00Z', executionId: 'e-1' },
    });
    expect(first.changed.sort()).toEqual(['acme.channel', 'tone']);
    const second = applyMemoryChanges(first.memory, { set: [{ key: 'tone', value: 'formal' }], forget: ['acme.channel', 'missing'] }, by('2026-12-03T11:00:00Z', null));
    expect(second.memory.entries).toEqual({ tone: { value: 'formal', updatedAt: '2026-12-03T10:00:00Z', executionId: 'e-1' } });
    expect(second.changed).toEqual(['acme.channel']);
  });

  it('evicts the least recently updated entries past the entry bound, never the ones just written', () => {
    let memory = emptyMemory();
    for (let i = 0; i < MEMORY_MAX_ENTRIES; i++) memory = applyMemoryChanges(memory, { set: [{ key: `k${String(i).padStart(2, '0')}`, value: 'v' }], forget: [] }, by(`2026-12-03T10:${String(i).padStart(2, '0')}:00Z`)).memory;
    const next = applyMemoryChanges(memory, { set: [{ key: 'new.one', value: 'x' }, { key: 'new.two', value: 'y' }], forget: [] }, by('2026-12-03T09:00:00Z'));
    expect(Object.keys(next.memory.entries)).toHaveLength(MEMORY_MAX_ENTRIES);
    expect(next.evicted).toEqual(['k00', 'k01']);
    expect(next.memory.entries['new.one']).toBeDefined();
    expect(next.memory.entries['new.two']).toBeDefined();
  });

  it('keeps all values within the total bound', () => {
    const big = 'x'.repeat(MEMORY_VALUE_MAX);
    let memory = emptyMemory();
    for (let i = 0; i < 20; i++) memory = applyMemoryChanges(memory, { set: [{ key: `big${i}`, value: big }], forget: [] }, by(`2026-12-03T10:00:${String(i).padStart(2, '0')}Z`)).memory;
    const total = Object.values(memory.entries).reduce((n, e) => n + e.value.length, 0);
    expect(total).toBeLessThanOrEqual(MEMORY_TOTAL_MAX);
    expect(Object.keys(memory.entries)).toHaveLength(MEMORY_TOTAL_MAX / MEMORY_VALUE_MAX);
    expect(memory.entries.big19).toBeDefined();
    expect(memory.entries.big0).toBeUndefined();
  });

  it('makes a model\'s proposal safe: invalid keys rejected, values cleaned and cut', () => {
    const { changes, rejected } = sanitizeMemoryChanges({
      set: [{ key: ' Acme.Channel ', value: ' email\u0000 ' }, { key: '../etc/passwd', value: 'x' }, { key: 'empty', value: '   ' }, { key: 'long', value: 'y'.repeat(5000) }],
      forget: ['Tone', 'not a key'],
    });
    expect(changes.set).toEqual([{ key: 'acme.channel', value: 'email' }, { key: 'long', value: 'y'.repeat(MEMORY_VALUE_MAX) }]);
    expect(changes.forget).toEqual(['tone']);
    expect(rejected).toEqual(['../etc/passwd', 'empty', 'not a key']);
    expect(memoryKey('a'.repeat(65))).toBeNull();
  });

  it('reads as passages, most recent first', () => {
    const m = applyMemoryChanges(applyMemoryChanges(emptyMemory(), { set: [{ key: 'a', value: 'old' }], forget: [] }, by('2026-12-03T10:00:00Z')).memory, { set: [{ key: 'b', value: 'new' }], forget: [] }, by('2026-12-03T11:00:00Z')).memory;
    expect(memoryPassages(m)).toEqual([{ id: 'b', text: 'b: new' }, { id: 'a', text: 'a: old' }]);
  });
});
