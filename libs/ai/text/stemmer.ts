/**
 * A cheap English suffix stemmer (plural, -ing, -ed, -ly, -ation, final e): enough for
 * "exports" / "exporting" / "exported" / "export" and "replies" / "reply" to meet, which is all
 * the offline embedder and engine need (character n-grams catch the rest). Input: a normalised
 * word (lower case, no diacritics). Deterministic, no allocation beyond the result.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') || w.endsWith('ied')) w = w.length > 4 ? w.slice(0, -3) + 'y' : w.slice(0, -1);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);

  if (w.endsWith('ing') && hasVowel(w, w.length - 3) && w.length - 3 >= 3) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && hasVowel(w, w.length - 2) && w.length - 2 >= 3) w = undouble(w.slice(0, -2));
  else if (w.endsWith('ly') && w.length - 2 >= 4) w = w.slice(0, -2);

  // "integration" / "integrate" / "integrated" all end as "integrat" after the final-e step.
  if (w.endsWith('ational') && w.length - 7 >= 3) w = w.slice(0, -7) + 'ate';
  else if (w.endsWith('ation') && w.length - 5 >= 3) w = w.slice(0, -5) + 'ate';

  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  if (w.endsWith('y') && w.length > 4 && !isVowel(w.charCodeAt(w.length - 2))) w = w.slice(0, -1) + 'i';
  return w;
}

function isVowel(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || c === 121;
}

function hasVowel(w: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (isVowel(w.charCodeAt(i))) return true;
  return false;
}

/** "runn" -> "run", but not "fall" / "miss" / "buzz". */
function undouble(w: string): string {
  const n = w.length;
  if (n < 2) return w;
  const c = w.charCodeAt(n - 1);
  if (c === w.charCodeAt(n - 2) && !isVowel(c) && c !== 108 && c !== 115 && c !== 122) return w.slice(0, -1);
  return w;
}
