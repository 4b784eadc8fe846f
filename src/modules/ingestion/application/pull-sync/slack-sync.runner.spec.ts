import { tsAfter } from './slack-sync.runner';

describe('tsAfter', () => {
  it('orders Slack timestamps by seconds, then the sequence part', () => {
    expect(tsAfter('1712345678.000200', '1712345678.000100')).toBe(true);
    expect(tsAfter('1712345678.000100', '1712345678.000100')).toBe(false);
    expect(tsAfter('1712345679.000000', '1712345678.999999')).toBe(true);
    expect(tsAfter('999999999.900000', '1000000000.000001')).toBe(false);
  });
});
