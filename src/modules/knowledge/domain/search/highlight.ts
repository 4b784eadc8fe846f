/** Private-use characters the database puts around matches (ts_headline StartSel/StopSel); they never reach a client. */
export const HEADLINE_START = '\uE000';
export const HEADLINE_STOP = '\uE001';

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * A headline as HTML: the message text escaped (it may contain markup of its own), the matches
 * in <mark>…</mark>, so a client can render it as it is.
 */
export function markHeadline(headline: string): string {
  return escapeHtml(headline).split(HEADLINE_START).join('<mark>').split(HEADLINE_STOP).join('</mark>');
}

/** The start of a text as HTML, whitespace folded, cut at a word after at most `chars` characters. */
export function leadSnippet(text: string, chars = 240): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  if (flat.length <= chars) return escapeHtml(flat);
  const cut = flat.slice(0, chars);
  const space = cut.lastIndexOf(' ');
  return `${escapeHtml((space > chars * 0.6 ? cut.slice(0, space) : cut).trimEnd())}…`;
}
