import { renumberCitations } from './cited-answer';

describe('renumberCitations', () => {
  it('numbers the cited documents 1..k in reading order, so the answer and the citation list agree', () => {
    expect(renumberCitations('SSO ships in May [3]. It costs $5 per seat [1]. Both were confirmed [3][1].', 4)).toEqual({
      text: 'SSO ships in May [1]. It costs $5 per seat [2]. Both were confirmed [1][2].',
      positions: [3, 1],
    });
  });

  it('renumbers grouped markers and drops duplicates inside a group', () => {
    expect(renumberCitations('Confirmed twice [2, 4, 2].', 4)).toEqual({ text: 'Confirmed twice [1, 2].', positions: [2, 4] });
  });

  it('drops markers that point at no document, with the space before them', () => {
    expect(renumberCitations('It ships in May [9]. It costs $5 [2].', 3)).toEqual({ text: 'It ships in May. It costs $5 [1].', positions: [2] });
    expect(renumberCitations('Seen in [0, 2] and [7, 1].', 2)).toEqual({ text: 'Seen in [1] and [2].', positions: [2, 1] });
  });

  it('leaves bracketed numbers that are not citations (years) as written', () => {
    expect(renumberCitations('Planned for [2027], see [1].', 1)).toEqual({ text: 'Planned for [2027], see [1].', positions: [1] });
  });

  it('is null for an answer that cites no document (it is not shown)', () => {
    expect(renumberCitations('SSO ships in May.', 3)).toBeNull();
    expect(renumberCitations('SSO ships in May [4].', 3)).toBeNull();
    expect(renumberCitations('Nothing [1].', 0)).toBeNull();
  });
});
