import { bestLabel, mentionsLabel } from './label-scoring';

describe('label scoring', () => {
  it('picks the top score with its softmax share: a clear lead is confident, a tie is not', () => {
    const clear = bestLabel([{ label: 'a', score: 0.35 }, { label: 'b', score: 0.1 }, { label: 'c', score: 0.05 }])!;
    expect(clear.label).toBe('a');
    expect(clear.confidence).toBeGreaterThan(0.95);
    const tie = bestLabel([{ label: 'a', score: 0.2 }, { label: 'b', score: 0.2 }])!;
    expect(tie).toEqual({ label: 'a', confidence: 0.5 });
    const lead = bestLabel([{ label: 'a', score: 0.2 }, { label: 'b', score: 0.3 }])!;
    expect(lead.label).toBe('b');
    expect(lead.confidence).toBeCloseTo(Math.exp(2) / (1 + Math.exp(2)));
    expect(bestLabel([])).toBeNull();
  });

  it('finds a label named in the text as a word or phrase, any case, plural allowed', () => {
    expect(mentionsLabel('Our invoices are wrong', 'Invoice')).toBe(true);
    expect(mentionsLabel('the mobile-app crashed', 'Mobile app')).toBe(true);
    expect(mentionsLabel('automobile parts', 'mobile')).toBe(false);
    expect(mentionsLabel('anything', '   ')).toBe(false);
  });
});
