import { HISTORY_MAX_CHARS_PER_MESSAGE, historyContent } from './ask-prompt';

describe('historyContent', () => {
  it("takes an earlier answer's citation markers out (they numbered that turn's documents)", () => {
    expect(historyContent('assistant', 'Orbit sync ships on May 14. [1] It costs $12 [2, 3].')).toBe('Orbit sync ships on May 14. It costs $12.');
  });

  it('keeps a question as asked, and clips long messages', () => {
    expect(historyContent('user', 'What about [1]?')).toBe('What about [1]?');
    const long = historyContent('user', 'x'.repeat(5000));
    expect(long).toHaveLength(HISTORY_MAX_CHARS_PER_MESSAGE);
    expect(long.endsWith('…')).toBe(true);
  });
});
