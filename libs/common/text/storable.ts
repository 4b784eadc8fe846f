/**
 * What PostgreSQL cannot store, taken out of text where it enters: a NUL character (refused by
 * `text` and, as `\u0000`, by `jsonb`: "unsupported Unicode escape sequence") and lone UTF-16
 * surrogates (JSON.stringify writes them as `\ud800` escapes, which `jsonb` refuses too). NULs are
 * dropped (they carry nothing a reader sees; binary junk from broken mailers), a lone surrogate
 * becomes U+FFFD, the replacement character readers show for undecodable bytes.
 *
 * Invalid bytes of a declared charset never reach here as bytes: the decoders (mailparser's
 * iconv-lite, TextDecoder) already turn them into U+FFFD.
 */
export function storableText(s: string): string {
  if (s.indexOf('\u0000') >= 0) s = s.replaceAll('\u0000', '');
  return s.isWellFormed() ? s : s.toWellFormed();
}

/** True when the text can be stored as it is (the fast path of storableValue). */
export const isStorableText = (s: string) => s.indexOf('\u0000') < 0 && s.isWellFormed();

const MAX_DEPTH = 64;

/**
 * storableText over every string of a JSON-like value, object keys included; the value itself
 * when nothing needed cleaning (no copy on the common path). Values deeper than 64 levels are
 * cut there (`null`): nothing real nests deeper, and PostgreSQL's jsonb refuses very deep input.
 */
export function storableValue<T>(value: T): T {
  return clean(value, 0) as T;
}

function clean(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return isStorableText(v) ? v : storableText(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const c = clean(v[i], depth + 1);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  if (v instanceof Date || Buffer.isBuffer(v)) return v;
  let out: Record<string, unknown> | null = null;
  const entries = Object.entries(v as Record<string, unknown>);
  for (let i = 0; i < entries.length; i++) {
    const [k, x] = entries[i];
    const key = isStorableText(k) ? k : storableText(k);
    const c = clean(x, depth + 1);
    if (c !== x || key !== k) {
      if (!out) {
        out = {};
        for (let j = 0; j < i; j++) out[entries[j][0]] = entries[j][1];
      }
    }
    if (out) out[key] = c;
  }
  return out ?? v;
}
