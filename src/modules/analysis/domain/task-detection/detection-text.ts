/**
 * What the detector reads of a message: the author's own words, bounded. Runs before the
 * tagger, so no adapter ever sees hostile input.
 */

/** A task is stated in words a person reads; past this the rest of a message is not read. */
export const MAX_DETECTION_CHARS = 20_000;

/**
 * Runs without white space are cut to this many characters: wink's tokenizer is quadratic in
 * the length of such a run (a base64 blob, a paragraph of CJK text). A real word, link or
 * address is shorter.
 */
export const MAX_RUN_CHARS = 100;

/** Where an email client starts quoting the message answered: nothing below is the author's. */
const QUOTE_HEADERS = [/^-{2,}\s*original message\s*-{2,}/i, /^on .{3,200} wrote:\s*$/i, /^from: .+$/i, /^_{10,}$/];

/**
 * The author's text of a message: quoted lines ("> ...") and everything under a reply header
 * dropped (a task quoted back is not a new task), control characters (NUL...) made spaces,
 * over-long runs cut, and the whole cut to MAX_DETECTION_CHARS. One linear pass each.
 */
export function detectionText(raw: string): string {
  const head = raw.length > MAX_DETECTION_CHARS ? raw.slice(0, MAX_DETECTION_CHARS) : raw;
  const kept: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (QUOTE_HEADERS.some((header) => header.test(trimmed))) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line);
  }
  // eslint-disable-next-line no-control-regex
  const clean = kept.join('\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, ' ');
  return clean.replace(/\S+/g, (run) => {
    if (run.length <= MAX_RUN_CHARS) return run;
    // Never leave half of a surrogate pair at the cut.
    const high = run.charCodeAt(MAX_RUN_CHARS - 1);
    return run.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_RUN_CHARS - 1 : MAX_RUN_CHARS);
  });
}
