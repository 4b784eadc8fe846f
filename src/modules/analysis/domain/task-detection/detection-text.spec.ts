import { detectionText, MAX_DETECTION_CHARS, MAX_RUN_CHARS } from './detection-text';

describe('the text the detector reads of a message', () => {
  it('drops quoted lines and everything under a reply header', () => {
    expect(detectionText("> I'll send the quote by Thursday.\nGreat, thanks Bob.").trim()).toBe('Great, thanks Bob.');
    expect(detectionText('Done, see attached.\n\nOn Tue, Mar 3, 2026 at 10:00, Bob <bob@acme.example> wrote:\nI will fix it tomorrow').trim()).toBe('Done, see attached.');
    expect(detectionText('Thanks!\n-----Original Message-----\nPlease send the contract').trim()).toBe('Thanks!');
  });

  it('makes NUL and other control characters, and bidi overrides, spaces', () => {
    expect(detectionText("I'll\u0000fix\u0007the\u202eexport")).toBe("I'll fix the export");
  });

  it('cuts runs without white space and the whole text, never leaving half a surrogate pair', () => {
    expect(detectionText('x'.repeat(100_000))).toHaveLength(MAX_RUN_CHARS);
    expect(detectionText('word '.repeat(1_000_000)).length).toBeLessThanOrEqual(MAX_DETECTION_CHARS);
    const emoji = `${'a'.repeat(MAX_RUN_CHARS - 1)}😀😀`;
    expect(detectionText(emoji)).toBe('a'.repeat(MAX_RUN_CHARS - 1));
  });

  it('keeps ordinary text as it is', () => {
    expect(detectionText('@ana can you deploy it?\nthanks 🙏')).toBe('@ana can you deploy it?\nthanks 🙏');
  });
});
