import { componentsProblems, glossaryProblems, normaliseKeywords, priorityRulesProblems } from './project-settings';

describe('project config settings', () => {
  it('priority rules map known priorities to lists of words', () => {
    expect(priorityRulesProblems({ critical: ['outage', 'data loss'], low: [] })).toEqual([]);
    expect(priorityRulesProblems({ urgent: ['x'] })).toEqual([{ field: 'priorityRules.urgent', message: expect.stringContaining('not a priority') }]);
    expect(priorityRulesProblems({ high: 'customer' })).toEqual([{ field: 'priorityRules.high', message: expect.any(String) }]);
    expect(priorityRulesProblems({ high: [''] })).toHaveLength(1);
    expect(priorityRulesProblems(['high'])).toEqual([{ field: 'priorityRules', message: expect.any(String) }]);
  });

  it('the glossary maps terms to texts; components are objects', () => {
    expect(glossaryProblems({ PN: 'push notification' })).toEqual([]);
    expect(glossaryProblems({ PN: 3 })).toEqual([{ field: 'glossary.PN', message: expect.any(String) }]);
    expect(glossaryProblems('PN')).toEqual([{ field: 'glossary', message: expect.any(String) }]);
    expect(componentsProblems([{ name: 'login' }])).toEqual([]);
    expect(componentsProblems([{ name: 'login' }, 'sync', null])).toEqual([
      { field: 'components.1', message: 'must be an object' },
      { field: 'components.2', message: 'must be an object' },
    ]);
  });

  it('keywords are trimmed and kept once whatever their case, first spelling first', () => {
    expect(normaliseKeywords([' iOS', 'android', 'ios ', '', 'Push'])).toEqual(['iOS', 'android', 'Push']);
  });
});
