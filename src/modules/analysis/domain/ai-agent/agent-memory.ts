/**
 * An agent's persistent memory (seed 004 ai_agents.memory): named facts that executions read
 * (they are given to the model as passages) and update (set or forget keys). Bounded so a
 * model cannot grow it without limit or smuggle structure into it: flat string values only, at
 * most MEMORY_MAX_ENTRIES keys of a safe alphabet, each value at most MEMORY_VALUE_MAX
 * characters, all values together at most MEMORY_TOTAL_MAX characters. When a change would pass
 * a bound, the least recently updated entries are evicted (and reported).
 */
export interface MemoryEntry {
  value: string;
  updatedAt: string;
  /** The execution that wrote it; null when set by a person (or an input given by one). */
  executionId: string | null;
}

export interface AgentMemory {
  entries: Record<string, MemoryEntry>;
}

export interface MemoryChanges {
  set: { key: string; value: string }[];
  forget: string[];
}

export const MEMORY_MAX_ENTRIES = 50;
export const MEMORY_KEY_MAX = 64;
export const MEMORY_VALUE_MAX = 1000;
export const MEMORY_TOTAL_MAX = 16_000;
export const MEMORY_KEY_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

export const emptyMemory = (): AgentMemory => ({ entries: {} });

export const NO_MEMORY_CHANGES: MemoryChanges = { set: [], forget: [] };

/** A key as stored: trimmed and lower-cased; null when it is not a valid key. */
export function memoryKey(key: string): string | null {
  const k = key.trim().toLowerCase();
  return MEMORY_KEY_PATTERN.test(k) ? k : null;
}

/** Control characters out, whitespace runs kept as they are, cut at MEMORY_VALUE_MAX. */
export function memoryValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim().slice(0, MEMORY_VALUE_MAX);
}

/**
 * Changes a model proposed, made safe: invalid keys dropped (reported in `rejected`), values
 * cleaned, at most MEMORY_MAX_ENTRIES sets. People's changes are validated at the API instead.
 */
export function sanitizeMemoryChanges(changes: { set?: { key: string; value: string }[]; forget?: string[] }): { changes: MemoryChanges; rejected: string[] } {
  const rejected: string[] = [];
  const set: MemoryChanges['set'] = [];
  for (const s of (changes.set ?? []).slice(0, MEMORY_MAX_ENTRIES)) {
    const key = typeof s?.key === 'string' ? memoryKey(s.key) : null;
    const value = typeof s?.value === 'string' ? memoryValue(s.value) : '';
    if (!key || !value) rejected.push(String(s?.key ?? ''));
    else set.push({ key, value });
  }
  const forget: string[] = [];
  for (const f of (changes.forget ?? []).slice(0, MEMORY_MAX_ENTRIES)) {
    const key = typeof f === 'string' ? memoryKey(f) : null;
    if (key) forget.push(key);
    else rejected.push(String(f));
  }
  return { changes: { set, forget }, rejected };
}

export interface MemoryUpdate {
  memory: AgentMemory;
  /** Keys set or forgotten by the change. */
  changed: string[];
  /** Keys dropped to keep the memory within its bounds (least recently updated first). */
  evicted: string[];
}

const totalChars = (m: AgentMemory) => Object.values(m.entries).reduce((n, e) => n + e.value.length, 0);

/** Applies `changes` (forget first, then set; a later set of a key wins), then evicts to the bounds. Pure. */
export function applyMemoryChanges(memory: AgentMemory, changes: MemoryChanges, by: { at: string; executionId: string | null }): MemoryUpdate {
  const entries: Record<string, MemoryEntry> = { ...memory.entries };
  const changed = new Set<string>();
  for (const key of changes.forget) {
    if (key in entries) {
      delete entries[key];
      changed.add(key);
    }
  }
  for (const { key, value } of changes.set) {
    if (entries[key]?.value === value) continue;
    entries[key] = { value: memoryValue(value), updatedAt: by.at, executionId: by.executionId };
    changed.add(key);
  }
  const next: AgentMemory = { entries };
  const evicted: string[] = [];
  // Oldest first, the keys just written last: a change evicts older entries before its own.
  const byAge = () =>
    Object.entries(next.entries)
      .sort(([ka, a], [kb, b]) => Number(changed.has(ka)) - Number(changed.has(kb)) || a.updatedAt.localeCompare(b.updatedAt) || ka.localeCompare(kb))
      .map(([k]) => k);
  while (Object.keys(next.entries).length > MEMORY_MAX_ENTRIES || totalChars(next) > MEMORY_TOTAL_MAX) {
    const oldest = byAge()[0];
    delete next.entries[oldest];
    evicted.push(oldest);
    changed.delete(oldest);
  }
  return { memory: next, changed: [...changed], evicted };
}

/** The memory as passages a model reads ("key: value"), most recently updated first. */
export function memoryPassages(memory: AgentMemory): { id: string; text: string }[] {
  return Object.entries(memory.entries)
    .sort(([, a], [, b]) => b.updatedAt.localeCompare(a.updatedAt))
    .map(([key, e]) => ({ id: key, text: `${key}: ${e.value}` }));
}
