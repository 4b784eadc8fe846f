import { registerErrorStatuses, statusForCode } from './error-status.registry';

describe('registerErrorStatuses', () => {
  it('maps each code to its status, and takes the same mapping twice', () => {
    registerErrorStatuses({ 'SPEC.ONE': 412 });
    registerErrorStatuses({ 'SPEC.ONE': 412 });
    expect(statusForCode('SPEC.ONE')).toBe(412);
  });

  it('refuses a code another table maps to another status (which one won would depend on load order)', () => {
    registerErrorStatuses({ 'SPEC.TWO': 412 });
    expect(() => registerErrorStatuses({ 'SPEC.TWO': 409 })).toThrow(/SPEC.TWO is mapped to HTTP 412 and to 409/);
    expect(statusForCode('SPEC.TWO')).toBe(412);
  });
});
