import { diffWordsWithSpace } from 'diff';

/** One run of words of a text diff: kept (neither flag), added in `to`, or removed from `from`. */
export interface WordChange {
  value: string;
  added: boolean;
  removed: boolean;
}

/** A field whose value differs between two versions; `words` for long text fields. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
  words?: WordChange[];
}

export interface DiffOptions {
  /** Text fields that also get a word diff (descriptions, contents). */
  longTextFields?: readonly string[];
  /** Object fields compared key by key (`meta.priority`), so a change shows where it is. */
  nestedFields?: readonly string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with sorted keys: two values are equal when their canonical forms are. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Deep equality of JSON values, whatever the order of object keys. */
export const sameValue = (a: unknown, b: unknown) => canonical(a) === canonical(b);
const same = sameValue;

function keysOf(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

/** A word diff of two texts (null reads as empty); whitespace is kept, so the kept + removed runs spell the old text and kept + added the new one. */
export function wordDiff(from: string | null, to: string | null): WordChange[] {
  return diffWordsWithSpace(from ?? '', to ?? '').map((c) => ({ value: c.value, added: !!c.added, removed: !!c.removed }));
}

/**
 * The field-level difference of two snapshots of an entity (versions n and m): every field whose
 * value differs, with both values; long text fields carry a word diff, nested objects are
 * compared per key. Comparing a version with itself gives [].
 */
export function diffSnapshots(from: Record<string, unknown>, to: Record<string, unknown>, options: DiffOptions = {}): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of keysOf(from, to)) {
    const a = from[field] ?? null;
    const b = to[field] ?? null;
    if (same(a, b)) continue;
    if (options.nestedFields?.includes(field) && isPlainObject(a) && isPlainObject(b)) {
      for (const key of keysOf(a, b)) {
        if (!same(a[key], b[key])) out.push({ field: `${field}.${key}`, from: a[key] ?? null, to: b[key] ?? null });
      }
      continue;
    }
    const change: FieldChange = { field, from: a, to: b };
    if (options.longTextFields?.includes(field) && (typeof a === 'string' || a === null) && (typeof b === 'string' || b === null)) {
      change.words = wordDiff(a, b);
    }
    out.push(change);
  }
  return out;
}
